"""The signed credential's Achievement carries its template's description and criteria, when the
template has them, and still verifies; without them, the generated sentences."""

from laurel.db import Database
from laurel.groups.expiry import ExpiryRule, ExpiryUnit
from laurel.groups.schemas import TemplateExtensions
from tests.conftest import CertifierClient, Tenant
from tests.groups.test_template_extensions import set_extensions
from tests.vc.test_verifiable_credentials import check, issue

ALL_PASSED = {
    "shape": "passed", "issuer": "passed", "proof": "passed", "validity": "passed",
    "revocation": "passed",
}  # fmt: skip
CRITERIA = "## Requirements\n\n- Attend all 5 sessions\n- Pass the final exam (70%)"


async def test_the_achievement_has_the_templates_description_and_criteria(
    api: CertifierClient, database: Database, tenant: Tenant, group_id: str
) -> None:
    extensions = TemplateExtensions("A course on how markets price risk.", CRITERIA)
    await set_extensions(database, tenant, group_id, extensions)
    _, vc = await issue(api, group_id)
    achievement = vc["credentialSubject"]["achievement"]
    assert achievement["description"] == "A course on how markets price risk."
    assert achievement["criteria"] == {"narrative": CRITERIA}
    assert await check(api.http, vc) == ALL_PASSED
    published = await api.http.get(f"/achievements/{group_id}")
    assert published.status_code == 200
    assert published.json()["description"] == "A course on how markets price risk."
    assert published.json()["criteria"] == {"narrative": CRITERIA}


async def test_without_them_the_generated_sentences_stay(
    api: CertifierClient, group_id: str
) -> None:
    _, vc = await issue(api, group_id)
    achievement = vc["credentialSubject"]["achievement"]
    assert achievement["description"] == "Financial Markets, awarded by Acme Academy."
    assert achievement["criteria"] == {
        "narrative": "Awarded by Acme Academy for Financial Markets."
    }
    assert await check(api.http, vc) == ALL_PASSED


async def test_a_derived_expiry_is_the_signed_valid_until(
    api: CertifierClient, database: Database, tenant: Tenant, group_id: str
) -> None:
    rule = TemplateExtensions(expiry=ExpiryRule(10, ExpiryUnit.years))
    await set_extensions(database, tenant, group_id, rule)
    credential, vc = await issue(api, group_id, issueDate="2024-02-29")
    assert credential["expiryDate"] == "2034-02-28"
    assert vc["validUntil"] == "2034-02-28T23:59:59Z"
    assert await check(api.http, vc) == ALL_PASSED
