from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.kit.ids import new_id
from laurel.kit.timestamps import utc_now
from laurel.models import IssuerKey, Organization
from laurel.models.base import table_of

_keys, _organizations = table_of(IssuerKey), table_of(Organization)
PROFILE_COLUMNS = (
    "issuer_url",
    "issuer_email",
    "issuer_image",
    "issuer_description",
    "cryptosuite",
    "did_method",
)


class IssuerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def profile(self, organization_id: str) -> Any:
        statement = select(
            _organizations.c.id,
            _organizations.c.name,
            *(_organizations.c[column] for column in PROFILE_COLUMNS),
        ).where(_organizations.c.id == organization_id)
        return (await self.session.execute(statement)).first()

    async def update_profile(self, organization_id: str, values: dict[str, Any]) -> None:
        await self.session.execute(
            update(_organizations)
            .where(_organizations.c.id == organization_id)
            .values(**values, updated_at=utc_now())
        )

    async def keys(self, organization_id: str) -> list[Any]:
        statement = (
            select(_keys)
            .where(_keys.c.organization_id == organization_id)
            .order_by(_keys.c.created_at, _keys.c.id)
        )
        return list((await self.session.execute(statement)).all())

    async def key(self, organization_id: str, key_id: str) -> Any:
        statement = select(_keys).where(
            _keys.c.organization_id == organization_id, _keys.c.id == key_id
        )
        return (await self.session.execute(statement)).first()

    async def active_key(self, organization_id: str) -> Any:
        statement = (
            select(_keys)
            .where(_keys.c.organization_id == organization_id, _keys.c.retired_at.is_(None))
            .order_by(_keys.c.created_at.desc(), _keys.c.id.desc())
            .limit(1)
        )
        return (await self.session.execute(statement)).first()

    async def add_key(self, organization_id: str, public: str, private_encrypted: str) -> str:
        key_id = new_id()
        await self.session.execute(
            insert(_keys).values(
                id=key_id,
                organization_id=organization_id,
                public_multibase=public,
                private_encrypted=private_encrypted,
                created_at=utc_now(),
            )
        )
        return key_id

    async def retire_keys(self, organization_id: str) -> None:
        await self.session.execute(
            update(_keys)
            .where(_keys.c.organization_id == organization_id, _keys.c.retired_at.is_(None))
            .values(retired_at=utc_now())
        )

    async def all_sealed_keys(self) -> list[Any]:
        """Every organization's private keys, sealed (id, private_encrypted): for re-sealing."""
        statement = select(_keys.c.id, _keys.c.private_encrypted).order_by(_keys.c.id)
        return list((await self.session.execute(statement)).all())

    async def reseal_key(self, key_id: str, private_encrypted: str) -> None:
        await self.session.execute(
            update(_keys).where(_keys.c.id == key_id).values(private_encrypted=private_encrypted)
        )
