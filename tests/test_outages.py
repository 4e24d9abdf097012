"""The database going away and coming back: 503 with Retry-After in each API's format, then 200
again, without restarting Laurel."""

import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from sqlalchemy import make_url

from laurel.app import create_app
from laurel.config import Settings
from laurel.kit.errors import RETRY_AFTER_SECONDS, ServiceUnavailable
from tests.conftest import Tenant, make_client
from tests.fixtures.records import Person
from tests.fixtures.tcp_proxy import TcpProxy


def assert_certifier_503(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "error": {"code": "service_unavailable", "message": ServiceUnavailable.default_message}
    }


def assert_records_503(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert (problem["status"], problem["code"]) == (503, "service_unavailable")
    assert problem["type"] == "/problems/service_unavailable"


def assert_not_ready(response: httpx.Response) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


@pytest.fixture
async def proxy(settings: Settings) -> AsyncIterator[TcpProxy]:
    if settings.is_sqlite:
        pytest.skip("PostgreSQL is a server that can stop; SQLite's turn is below")
    url = make_url(settings.database_url)
    running = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    await running.start()
    yield running
    await running.stop()


async def test_postgresql_stopping_then_starting_again(
    settings: Settings, proxy: TcpProxy, tenant: Tenant, member: Person, type_id: str
) -> None:
    through_proxy = make_url(settings.database_url).set(host="127.0.0.1", port=proxy.port)
    app = create_app(
        settings.model_copy(
            update={"database_url": through_proxy.render_as_string(hide_password=False)}
        )
    )
    records = {"Authorization": f"Bearer {member.token}"}
    certification = {"certification_type_id": type_id, "issued_on": "2026-01-05"}
    keyed = {**records, "Idempotency-Key": "during-the-outage"}
    async with make_client(app) as http:
        assert (await http.get("/v1/groups", headers=tenant.headers)).status_code == 200
        assert (await http.get("/v1/me", headers=records)).status_code == 200
        assert (await http.get("/readyz")).status_code == 200

        await proxy.stop()  # the server goes away, with every connection Laurel had to it
        assert_certifier_503(await http.get("/v1/groups", headers=tenant.headers))
        assert_records_503(await http.get("/v1/me", headers=records))
        # A keyed create meets the outage in the idempotency middleware, before any endpoint.
        assert_records_503(await http.post("/v1/certifications", headers=keyed, json=certification))
        assert_not_ready(await http.get("/readyz"))

        await proxy.start()  # back, on the same port; the app was not restarted
        assert (await http.get("/v1/groups", headers=tenant.headers)).status_code == 200
        assert (await http.get("/v1/me", headers=records)).status_code == 200
        assert (await http.get("/readyz")).status_code == 200
        created = await http.post("/v1/certifications", headers=keyed, json=certification)
        assert created.status_code == 201, "the 503 left no key in use behind"
        assert "Idempotent-Replayed" not in created.headers
    await app.state.database.dispose()


async def test_a_sqlite_file_that_cannot_be_opened_then_can(
    settings: Settings, tenant: Tenant, member: Person, tmp_path: Path
) -> None:
    """SQLite cannot go away as a server does; a file that cannot be opened (here a directory
    stands where the file should be) is its outage, and Laurel recovers when the file is back."""
    if not settings.is_sqlite:
        pytest.skip("the PostgreSQL outage is the test above")
    path = tmp_path / "laurel.db"
    path.mkdir()
    app = create_app(settings.model_copy(update={"database_url": f"sqlite+aiosqlite:///{path}"}))
    records = {"Authorization": f"Bearer {member.token}"}
    async with make_client(app) as http:
        assert_certifier_503(await http.get("/v1/groups", headers=tenant.headers))
        assert_records_503(await http.get("/v1/me", headers=records))
        assert_not_ready(await http.get("/readyz"))

        path.rmdir()
        source_path = settings.sqlite_path()
        assert source_path is not None
        with (
            closing(sqlite3.connect(source_path)) as source,
            closing(sqlite3.connect(path)) as copy,
        ):
            source.backup(copy)
        assert (await http.get("/v1/groups", headers=tenant.headers)).status_code == 200
        assert (await http.get("/v1/me", headers=records)).status_code == 200
        assert (await http.get("/readyz")).status_code == 200
    await app.state.database.dispose()
