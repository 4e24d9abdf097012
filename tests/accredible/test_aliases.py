"""Integer aliases: in range, one per resource for ever, and right when assigned at once."""

import asyncio

from sqlalchemy import insert, select

from laurel.accredible.repository import ALIAS_LIMIT, FIRST_ALIAS, AliasKind, AliasRepository
from laurel.db import Database
from laurel.kit.ids import new_id
from laurel.kit.timestamps import utc_now
from laurel.models import Group, IntegerAlias
from tests.accredible.conftest import Site
from tests.conftest import Tenant


async def _assign(database: Database, organization_id: str, laurel_ids: list[str]) -> list[int]:
    """Aliases assigned in a transaction of their own, as one request would."""
    async with database.sessions() as session, session.begin():
        aliases = await AliasRepository(session).aliases_of(
            AliasKind.group, organization_id, laurel_ids
        )
    return [aliases[laurel_id] for laurel_id in laurel_ids]


async def test_aliases_start_at_a_million_and_are_kept(database: Database, tenant: Tenant) -> None:
    ids = [new_id() for _ in range(3)]
    first = await _assign(database, tenant.organization_id, ids)
    assert first == [FIRST_ALIAS, FIRST_ALIAS + 1, FIRST_ALIAS + 2]
    assert await _assign(database, tenant.organization_id, list(reversed(ids))) == list(
        reversed(first)
    )
    assert all(alias < ALIAS_LIMIT for alias in first)


async def test_each_kind_counts_on_its_own(database: Database, tenant: Tenant) -> None:
    laurel_id = new_id()
    async with database.sessions() as session, session.begin():
        aliases = AliasRepository(session)
        group = await aliases.alias_of(AliasKind.group, tenant.organization_id, laurel_id)
        design = await aliases.alias_of(AliasKind.design, tenant.organization_id, new_id())
    assert group == design == FIRST_ALIAS


async def test_requests_assigning_at_once_get_distinct_aliases_and_agree_on_shared_ones(
    database: Database, tenant: Tenant
) -> None:
    shared = new_id()
    own = [new_id() for _ in range(6)]
    results = await asyncio.gather(
        *(_assign(database, tenant.organization_id, [shared, laurel_id]) for laurel_id in own)
    )
    assert len({aliases[0] for aliases in results}) == 1
    assert len({aliases[1] for aliases in results}) == len(own)
    async with database.sessions() as session:
        stored = (await session.execute(select(IntegerAlias.alias))).scalars().all()
    assert sorted(stored) == list(range(FIRST_ALIAS, FIRST_ALIAS + len(own) + 1))


async def test_concurrent_syncs_agree(site: Site) -> None:
    for name in ("Data Science", "Statistics", "Ethics"):
        await site.group(name)
    replies = await asyncio.gather(
        *(site.openedx.call("GET", "issuer/all_groups") for _ in range(4))
    )
    listed = [[group["id"] for group in reply.json()["groups"]] for reply in replies]
    assert all(ids == listed[0] for ids in listed)
    assert len(set(listed[0])) == 3


async def test_a_template_without_designs_shows_the_starter_medal(
    site: Site, tenant: Tenant
) -> None:
    """Templates made before designs were required have none; Open edX needs an image all
    the same (a null design id fails its whole sync)."""
    async with site.database.sessions() as session, session.begin():
        await session.execute(
            insert(Group).values(
                id=new_id(),
                organization_id=tenant.organization_id,
                name="Legacy",
                created_at=utc_now(),
                updated_at=utc_now(),
            )
        )
    groups = await site.openedx.sync_groups()
    assert [group["course_name"] for group in groups] == ["Legacy"]
    image = await site.openedx.http.get(groups[0]["icon"].removeprefix("http://laurel.test"))
    assert image.status_code == 200, image.text
    assert image.headers["content-type"] == "image/png"
