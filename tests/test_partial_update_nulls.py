"""A partial update (PATCH) that sends null for a field that cannot be empty is a 400 naming the
field, and changes nothing; where null means "clear", it clears."""

import pytest

from tests.conftest import CertifierClient
from tests.credentials.conftest import create_credential

# (what is patched, the field sent as null, the `param` of the answer)
REFUSED = [
    ("design", "name", "name"),
    ("design", "svg", "svg"),
    ("email template", "subject", "subject"),
    ("credential template", "name", "name"),
    ("credential template", "designIds", "designIds"),
    ("credential", "issueDate", "issueDate"),
    ("credential", "customAttributes", "customAttributes"),
    ("credential", "recipient", "recipient"),
]


async def resource_path(api: CertifierClient, group_id: str, kind: str) -> str:
    if kind == "design":
        return f"/v1/designs/{await api.create_design()}"
    if kind == "email template":
        created = await api.request(
            "POST", "/v1/email-templates", json={"name": "T", "subject": "S", "body": "B"}
        )
        return f"/v1/email-templates/{created.json()['id']}"
    if kind == "credential template":
        return f"/v1/groups/{group_id}"
    return f"/v1/credentials/{(await create_credential(api, group_id))['id']}"


@pytest.mark.parametrize(("kind", "field", "param"), REFUSED)
async def test_null_for_a_required_field_is_refused_naming_it(
    api: CertifierClient, group_id: str, kind: str, field: str, param: str
) -> None:
    path = await resource_path(api, group_id, kind)
    before = (await api.request("GET", path)).json()
    response = await api.request("PATCH", path, json={field: None})
    assert response.status_code == 400, response.text
    assert response.json()["error"] == {
        "code": "validation_error",
        "message": f"{param}: may not be null",
        "param": param,
    }
    assert (await api.request("GET", path)).json() == before


async def test_null_clears_where_clearing_is_allowed(api: CertifierClient, group_id: str) -> None:
    credential = await create_credential(api, group_id, expiryDate="2999-01-01")
    path = f"/v1/credentials/{credential['id']}"
    cleared = await api.request("PATCH", path, json={"expiryDate": None})
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["expiryDate"] is None
