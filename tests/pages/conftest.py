"""Helpers for the page tests: credentials issued and signed through the API; a browser's Accept."""

from typing import Any

from tests.conftest import CertifierClient
from tests.credentials.conftest import create_credential

# What Chromium sends when it navigates to a page.
BROWSER_ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,"
    "*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
BROWSER = {"Accept": BROWSER_ACCEPT}


async def issue_signed(
    api: CertifierClient, group_id: str, **overrides: object
) -> tuple[dict[str, Any], Any]:
    """Draft, issue and sign a credential; its API form and its signed form."""
    credential = await create_credential(api, group_id, **overrides)
    issued = await api.request("POST", f"/v1/credentials/{credential['id']}/issue")
    assert issued.status_code == 200, issued.text
    signed = await api.request("GET", f"/v1/credentials/{credential['id']}/vc")
    assert signed.status_code == 200, signed.text
    return issued.json(), signed.json()


async def revoke(api: CertifierClient, credential_id: str, reason: str) -> None:
    response = await api.request(
        "POST", f"/v1/credentials/{credential_id}/revoke", json={"reason": reason}
    )
    assert response.status_code == 200, response.text


async def interaction_types(api: CertifierClient, credential_id: str) -> list[str]:
    """The event types recorded for a credential, as its organization lists them."""
    response = await api.request(
        "GET", "/v1/credential-interactions", params={"credentialId": credential_id, "limit": 100}
    )
    assert response.status_code == 200, response.text
    return sorted(item["eventType"] for item in response.json()["data"])
