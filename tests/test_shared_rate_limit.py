"""Several API processes share one budget per token through Redis."""

from laurel.app import create_app
from laurel.config import Settings
from laurel.db import Database
from tests.conftest import Tenant, make_client


async def test_two_processes_share_each_tokens_budget(
    settings: Settings, database: Database, tenant: Tenant, redis_url: str
) -> None:
    shared = settings.model_copy(update={"rate_limit": "4/minute", "redis_url": redis_url})
    first, second = create_app(shared), create_app(shared)
    statuses = []
    async with make_client(first) as one, make_client(second) as two:
        for http in (one, two, one, two, one):
            statuses.append((await http.get("/v1/groups", headers=tenant.headers)).status_code)
    for app in (first, second):
        await app.state.database.dispose()
    assert statuses == [200, 200, 200, 200, 429]


async def test_an_unreachable_redis_does_not_take_the_api_down(
    settings: Settings, database: Database, tenant: Tenant
) -> None:
    broken = settings.model_copy(
        update={"rate_limit": "1/minute", "redis_url": "redis://127.0.0.1:1/0"}
    )
    app = create_app(broken)
    async with make_client(app) as http:
        responses = [await http.get("/v1/groups", headers=tenant.headers) for _ in range(2)]
    await app.state.database.dispose()
    assert [r.status_code for r in responses] == [200, 200]
