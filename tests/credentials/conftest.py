from typing import Any

from tests.conftest import CertifierClient


async def create_credential(
    api: CertifierClient, group_id: str, **overrides: object
) -> dict[str, Any]:
    body = {
        "groupId": group_id,
        "recipient": {"name": "Ada Lovelace", "email": "ada@example.org"},
        **overrides,
    }
    response = await api.request("POST", "/v1/credentials", json=body)
    assert response.status_code == 200, response.text
    return dict(response.json())
