"""All SQL of the Accredible-shaped API: integer aliases, awards, and the groups it lists."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.kit.sql import insert_ignoring_conflicts
from laurel.kit.timestamps import utc_now
from laurel.models import AccredibleAward, Design, DesignType, Group, GroupDesign, IntegerAlias
from laurel.models.base import table_of

_aliases, _awards = table_of(IntegerAlias), table_of(AccredibleAward)
_groups, _links, _designs = table_of(Group), table_of(GroupDesign), table_of(Design)

# Aliases start above the ids a site's own auto-increment rows reach, and stay within the
# signed 32-bit integer Open edX stores them in.
FIRST_ALIAS = 1_000_000
ALIAS_LIMIT = 2**31
# Two requests assigning the next alias of a kind at once: the loser takes the one after.
_ASSIGN_ATTEMPTS = 20


def is_alias(number: int) -> bool:
    """Whether `number` is in the range aliases are given from (others need no query)."""
    return FIRST_ALIAS <= number < ALIAS_LIMIT


class AliasKind(StrEnum):
    group = "group"
    design = "design"
    credential = "credential"


class AliasesExhausted(RuntimeError):
    pass


@dataclass(frozen=True)
class Alias:
    laurel_id: str
    organization_id: str


class AliasRepository:
    """Integer aliases: assigned once per resource, looked up both ways."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def resolve(self, kind: AliasKind, alias: int) -> Alias | None:
        """The resource an alias names (of any organization: the caller checks)."""
        statement = select(_aliases.c.laurel_id, _aliases.c.organization_id).where(
            _aliases.c.kind == kind, _aliases.c.alias == alias
        )
        row = (await self.session.execute(statement)).first()
        return None if row is None else Alias(row.laurel_id, row.organization_id)

    async def aliases_of(
        self, kind: AliasKind, organization_id: str, laurel_ids: Iterable[str]
    ) -> dict[str, int]:
        """Each resource's alias, assigned now to those that have none yet."""
        wanted = list(dict.fromkeys(laurel_ids))
        if not wanted:
            return {}
        statement = select(_aliases.c.laurel_id, _aliases.c.alias).where(
            _aliases.c.kind == kind, _aliases.c.laurel_id.in_(wanted)
        )
        known = {row.laurel_id: row.alias for row in await self.session.execute(statement)}
        for laurel_id in wanted:
            if laurel_id not in known:
                known[laurel_id] = await self._assign(kind, organization_id, laurel_id)
        return known

    async def alias_of(self, kind: AliasKind, organization_id: str, laurel_id: str) -> int:
        return (await self.aliases_of(kind, organization_id, [laurel_id]))[laurel_id]

    async def _assign(self, kind: AliasKind, organization_id: str, laurel_id: str) -> int:
        """The next free alias of the kind, or the one another request gave it meanwhile.

        The insert takes `MAX + 1` in the statement itself; a concurrent request that took the
        same number first makes it fail on the primary key (inside a savepoint, so the
        transaction goes on), and the next attempt reads the new maximum.
        """
        next_alias = (
            select(func.coalesce(func.max(_aliases.c.alias), FIRST_ALIAS - 1) + 1)
            .where(_aliases.c.kind == kind)
            .scalar_subquery()
        )
        for _ in range(_ASSIGN_ATTEMPTS):
            statement = insert_ignoring_conflicts(self.session, _aliases, "kind", "laurel_id")
            try:
                async with self.session.begin_nested():
                    await self.session.execute(
                        statement.values(
                            kind=kind,
                            laurel_id=laurel_id,
                            organization_id=organization_id,
                            alias=next_alias,
                            created_at=utc_now(),
                            updated_at=utc_now(),
                        )
                    )
            except IntegrityError:
                continue
            found = await self.session.scalar(
                select(_aliases.c.alias).where(
                    _aliases.c.kind == kind, _aliases.c.laurel_id == laurel_id
                )
            )
            if found is not None:
                if found >= ALIAS_LIMIT:
                    raise AliasesExhausted(kind)
                return int(found)
        raise AliasesExhausted(kind)


@dataclass
class GroupRow:
    id: str
    name: str
    created_at: datetime
    updated_at: datetime
    designs: list[tuple[str, DesignType]] = field(default_factory=list)


class AccredibleRepository:
    """The organization's groups with their designs, and the awards made through the API."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def groups_with_designs(self, organization_id: str) -> list[GroupRow]:
        """Every credential template of the organization, oldest first, designs in order."""
        statement = (
            select(
                _groups.c.id,
                _groups.c.name,
                _groups.c.created_at,
                _groups.c.updated_at,
                _designs.c.id.label("design_id"),
                _designs.c.type.label("design_type"),
            )
            .select_from(
                _groups.outerjoin(_links, _links.c.group_id == _groups.c.id).outerjoin(
                    _designs, _designs.c.id == _links.c.design_id
                )
            )
            .where(_groups.c.organization_id == organization_id)
            .order_by(_groups.c.created_at, _groups.c.id, _links.c.position)
        )
        groups: dict[str, GroupRow] = {}
        for row in await self.session.execute(statement):
            group = groups.get(row.id)
            if group is None:
                group = groups[row.id] = GroupRow(row.id, row.name, row.created_at, row.updated_at)
            if row.design_id is not None:
                group.designs.append((row.design_id, DesignType(row.design_type)))
        return list(groups.values())

    async def hold_group(self, organization_id: str, group_id: str) -> bool:
        """Whether the template is the organization's, kept from deletion until the end of the
        transaction (a share lock on PostgreSQL; SQLite runs one writer at a time)."""
        statement = (
            select(_groups.c.id)
            .where(_groups.c.organization_id == organization_id, _groups.c.id == group_id)
            .with_for_update(read=True)
        )
        return (await self.session.scalar(statement)) is not None

    async def design_of(self, organization_id: str, design_id: str) -> Design | None:
        statement = select(Design).where(
            Design.organization_id == organization_id, Design.id == design_id
        )
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def claim_award(self, organization_id: str, group_id: str, email: str) -> bool:
        """Claim the award of the template to the email; False when it is claimed already.

        On PostgreSQL a claim made by a transaction still running waits for it to end, so of
        two awards at once the second finds the first's credential.
        """
        statement = insert_ignoring_conflicts(
            self.session, _awards, "group_id", "recipient_email"
        ).values(
            organization_id=organization_id,
            group_id=group_id,
            recipient_email=email,
            created_at=utc_now(),
            updated_at=utc_now(),
        )
        result = await self.session.execute(statement)
        return bool(getattr(result, "rowcount", 0))

    async def awarded_credential(self, group_id: str, email: str) -> str | None:
        statement = select(_awards.c.credential_id).where(
            _awards.c.group_id == group_id, _awards.c.recipient_email == email
        )
        return await self.session.scalar(statement)

    async def record_award(self, group_id: str, email: str, credential_id: str) -> None:
        await self.session.execute(
            update(_awards)
            .where(_awards.c.group_id == group_id, _awards.c.recipient_email == email)
            .values(credential_id=credential_id)
        )

    async def forget_award(self, group_id: str, email: str) -> None:
        """Drop a claim whose credential is gone, so the template can be awarded again."""
        await self.session.execute(
            _awards.delete().where(
                _awards.c.group_id == group_id, _awards.c.recipient_email == email
            )
        )
