"""Public page views, counted in memory and written in batches."""

from sqlalchemy import func, select

from laurel.credentials.interactions import ViewBuffer
from laurel.db import Database
from laurel.models import CredentialInteraction
from tests.conftest import CertifierClient
from tests.credentials.conftest import create_credential


async def _views(database: Database) -> int:
    async with database.sessions() as session:
        statement = select(func.count()).select_from(CredentialInteraction)
        return int(await session.scalar(statement) or 0)


async def test_a_deleted_credential_does_not_stop_views_being_written(
    api: CertifierClient, group_id: str, database: Database
) -> None:
    kept = await create_credential(api, group_id)
    gone = await create_credential(api, group_id)
    buffer = ViewBuffer()
    buffer.add(api.tenant.organization_id, str(gone["id"]))
    buffer.add(api.tenant.organization_id, str(kept["id"]))
    assert (await api.request("DELETE", f"/v1/credentials/{gone['id']}")).status_code == 204
    assert await buffer.write(database) == 1
    assert await _views(database) == 1
    assert await buffer.write(database) == 0  # nothing left over to fail again


def test_the_buffer_keeps_the_newest_views_when_full() -> None:
    buffer = ViewBuffer(max_rows=3)
    for n in range(5):
        buffer.add("org", f"credential-{n}")
    assert [row["credential_id"] for row in buffer._rows] == [
        "credential-2",
        "credential-3",
        "credential-4",
    ]
