"""Settings → Open edX in the web app: the connection's UUID, a key made for it, the webhook URL."""

import base64
import html
import re

import httpx

from laurel.kit.ids import uuid_of
from laurel.models import Role
from tests.conftest import Tenant
from tests.webapp.conftest import Browser, BrowserFactory


async def test_an_owner_sees_the_connection_and_makes_a_key_that_open_edx_can_use(
    signed_in_owner: Browser, tenant: Tenant, client: httpx.AsyncClient
) -> None:
    page = await signed_in_owner.get("/app/settings/openedx")
    assert page.status_code == 200
    organization_uuid = uuid_of(tenant.organization_id)
    assert organization_uuid in page.text
    assert "/credly/v1/" in page.text
    assert 'href="/app/settings/openedx" aria-current="page"' in page.text

    made = await signed_in_owner.post("/app/settings/openedx/key")
    assert made.status_code == 201
    found = re.search(r'id="new-key" type="text" readonly value="([^"]+)"', made.text)
    assert found is not None
    key = html.unescape(found[1])
    response = await client.get(
        f"/credly/v1/organizations/{organization_uuid}/",
        headers={"Authorization": "Basic " + base64.b64encode(key.encode()).decode()},
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["name"] == "Acme Academy"


async def test_the_webhook_url_is_saved_or_refused_with_the_reason(
    signed_in_owner: Browser,
) -> None:
    await signed_in_owner.get("/app/settings/openedx")
    refused = await signed_in_owner.post(
        "/app/settings/openedx/webhook", {"webhook_url": "http://127.0.0.1/badges/credly/webhook/"}
    )
    assert refused.status_code == 400
    assert 'aria-invalid="true"' in refused.text

    saved = await signed_in_owner.post("/app/settings/openedx/webhook", {"webhook_url": ""})
    assert saved.status_code == 200
    assert "Webhook URL saved" in saved.text


async def test_a_manager_may_not(make_staff: BrowserFactory, tenant: Tenant) -> None:
    manager = await make_staff(tenant.organization_id, Role.manager)
    assert (await manager.sign_in()).status_code == 303
    assert (await manager.get("/app/settings/openedx")).status_code == 403
    assert 'href="/app/settings/openedx"' not in (await manager.get("/app")).text
