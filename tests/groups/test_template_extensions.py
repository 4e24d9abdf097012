"""Laurel's own template fields (description, criteria, expiry rule): not on Certifier's wire
shape, and a template's expiry rule dates the credentials made from it."""

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from laurel.config import Settings
from laurel.credentials.importer import plan_import, run_import
from laurel.db import Database
from laurel.groups.expiry import ExpiryRule, ExpiryUnit, add_months
from laurel.groups.repository import GroupRepository, extension_columns
from laurel.groups.schemas import TemplateExtensions
from tests.conftest import CertifierClient, Tenant
from tests.credentials.conftest import create_credential


async def set_extensions(
    database: Database, tenant: Tenant, group_id: str, extensions: TemplateExtensions
) -> None:
    """What the web app's template form stores (tests/webapp covers the form itself)."""
    async with database.sessions() as session, session.begin():
        await GroupRepository(session).update(
            tenant.organization_id,
            group_id,
            changes=extension_columns(extensions),
            designs=None,
        )


TWO_YEARS = TemplateExtensions(expiry=ExpiryRule(2, ExpiryUnit.years))


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2024, 3, 31), 6, date(2024, 9, 30)),
        (date(2024, 11, 15), 3, date(2025, 2, 15)),
        (date(2024, 12, 31), 1, date(2025, 1, 31)),
    ],
)
def test_calendar_months_clamp_to_the_end_of_a_shorter_month(
    start: date, months: int, expected: date
) -> None:
    assert add_months(start, months) == expected


def test_each_unit_of_a_rule() -> None:
    issued = date(2024, 2, 29)
    assert ExpiryRule(1, ExpiryUnit.years).after(issued) == date(2025, 2, 28)
    assert ExpiryRule(1, ExpiryUnit.months).after(issued) == date(2024, 3, 29)
    assert ExpiryRule(30, ExpiryUnit.days).after(issued) == date(2024, 3, 30)
    assert ExpiryRule(2, ExpiryUnit.years).describe() == "expires 2 years after issue"
    assert ExpiryRule(1, ExpiryUnit.months).describe() == "expires 1 month after issue"


async def test_the_wire_shape_of_a_template_does_not_change(
    api: CertifierClient, database: Database, tenant: Tenant, group_id: str
) -> None:
    before = (await api.request("GET", f"/v1/groups/{group_id}")).json()
    extensions = TemplateExtensions("About it", "Pass the exam", TWO_YEARS.expiry)
    await set_extensions(database, tenant, group_id, extensions)
    after = (await api.request("GET", f"/v1/groups/{group_id}")).json()
    assert list(after) == list(before)
    assert not {"description", "criteria", "expiryAmount", "expiryUnit"} & set(after)
    # A PATCH through the API leaves Laurel's own fields alone.
    patched = await api.request("PATCH", f"/v1/groups/{group_id}", json={"name": "Renamed"})
    assert patched.status_code == 200
    async with database.sessions() as session:
        view = await GroupRepository(session).get_view(tenant.organization_id, group_id)
    assert view is not None and view.extensions == extensions


async def test_a_credential_without_an_expiry_date_gets_the_templates_rule(
    api: CertifierClient, database: Database, tenant: Tenant, group_id: str
) -> None:
    await set_extensions(database, tenant, group_id, TWO_YEARS)
    created = await create_credential(api, group_id, issueDate="2024-02-29")
    assert created["expiryDate"] == "2026-02-28"
    response = await api.request(
        "POST",
        "/v1/credentials/create-issue-send",
        json={"groupId": group_id, "recipient": {"name": "Grace"}, "issueDate": "2024-01-31"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["expiryDate"] == "2026-01-31"


async def test_an_explicit_expiry_date_or_null_wins_over_the_rule(
    api: CertifierClient, database: Database, tenant: Tenant, group_id: str
) -> None:
    await set_extensions(database, tenant, group_id, TWO_YEARS)
    explicit = await create_credential(
        api, group_id, issueDate="2024-05-01", expiryDate="2024-12-31"
    )
    assert explicit["expiryDate"] == "2024-12-31"
    never = await create_credential(api, group_id, issueDate="2024-05-01", expiryDate=None)
    assert never["expiryDate"] is None


async def test_without_a_rule_nothing_expires(api: CertifierClient, group_id: str) -> None:
    created = await create_credential(api, group_id, issueDate="2024-05-01")
    assert created["expiryDate"] is None


async def test_changing_the_issue_date_later_keeps_the_derived_expiry(
    api: CertifierClient, database: Database, tenant: Tenant, group_id: str
) -> None:
    """The rule is applied once, when the credential is made (docs/api.md)."""
    await set_extensions(database, tenant, group_id, TWO_YEARS)
    created = await create_credential(api, group_id, issueDate="2024-05-01")
    patched = await api.request(
        "PATCH", f"/v1/credentials/{created['id']}", json={"issueDate": "2024-06-01"}
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["expiryDate"] == "2026-05-01"


async def test_a_bulk_import_derives_empty_expiry_cells_only(
    api: CertifierClient,
    database: Database,
    settings: Settings,
    tenant: Tenant,
    group_id: str,
    tmp_path: Path,
) -> None:
    await set_extensions(
        database, tenant, group_id, TemplateExtensions(expiry=ExpiryRule(6, ExpiryUnit.months))
    )
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "Name,Issue Date,Expiry Date\nAda,2024-08-31,\nGrace,2024-08-31,2030-01-01\n",
        encoding="utf-8",
    )
    plan = await plan_import(database, tenant.organization_id, csv_file)
    assert plan.error_count == 0
    await run_import(database, settings, plan, group_id, issue=False, send=False)
    found = await api.request("POST", "/v1/credentials/search", json={"limit": 10})
    expiry_of: dict[str, Any] = {
        row["recipient"]["name"]: row["expiryDate"] for row in found.json()["data"]
    }
    assert expiry_of == {"Ada": "2025-02-28", "Grace": "2030-01-01"}


async def test_another_organizations_rule_does_not_apply(
    api: CertifierClient,
    other_api: CertifierClient,
    database: Database,
    other_tenant: Tenant,
    group_id: str,
) -> None:
    other_group = await other_api.create_group(
        name="Theirs", designIds=[await other_api.create_design()]
    )
    await set_extensions(database, other_tenant, str(other_group["id"]), TWO_YEARS)
    # Setting another organization's rule on our template changes nothing of ours.
    await set_extensions(database, other_tenant, group_id, TWO_YEARS)
    created = await create_credential(api, group_id, issueDate="2024-05-01")
    assert created["expiryDate"] is None
