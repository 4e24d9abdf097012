"""Credential templates and custom attributes in the web app: create, edit, delete (refused
kindly while credentials use it), scoped to the organization and to managers and up."""

import re

import pytest
from sqlalchemy import select

from laurel.db import Database
from laurel.groups.expiry import ExpiryRule, ExpiryUnit
from laurel.groups.repository import GroupRepository
from laurel.groups.schemas import TemplateExtensions
from laurel.models import AuditEvent, Group, Role
from tests.conftest import CertifierClient, Tenant
from tests.credentials.conftest import create_credential
from tests.webapp.conftest import Browser, BrowserFactory, issue_via_api


async def actions(database: Database) -> list[tuple[str, str]]:
    async with database.sessions() as session:
        rows = (await session.execute(select(AuditEvent.action, AuditEvent.target))).all()
    return [(row.action, row.target) for row in rows]


async def test_a_manager_creates_edits_and_deletes_a_template(
    signed_in_manager: Browser, api: CertifierClient, database: Database
) -> None:
    certificate = await api.create_design("certificate", "Gold certificate")
    badge = await api.create_design("badge", "Round badge")
    form = await signed_in_manager.get("/app/templates/new")
    assert form.status_code == 200
    assert "Gold certificate (certificate)" in form.text

    created = await signed_in_manager.post(
        "/app/templates",
        {
            "name": "First Aid",
            "design_1": badge,
            "design_2": certificate,
            "learning_event_url": "https://example.org/first-aid",
        },
    )
    assert created.status_code == 303
    group_id = created.headers["location"].split("/")[-1].split("?")[0]
    as_api = (await api.request("GET", f"/v1/groups/{group_id}")).json()
    assert as_api["designIds"] == [badge, certificate]
    assert as_api["learningEventUrl"] == "https://example.org/first-aid"

    edit = await signed_in_manager.get(f"/app/templates/{group_id}?done=saved")
    assert "Saved." in edit.text
    assert 'value="https://example.org/first-aid"' in edit.text
    changed = await signed_in_manager.post(
        f"/app/templates/{group_id}",
        {"name": "First Aid at Work", "design_1": certificate, "learning_event_url": ""},
    )
    assert changed.status_code == 303
    as_api = (await api.request("GET", f"/v1/groups/{group_id}")).json()
    assert as_api["name"] == "First Aid at Work"
    assert as_api["designIds"] == [certificate]
    assert as_api["learningEventUrl"] is None

    deleted = await signed_in_manager.post(f"/app/templates/{group_id}/delete")
    assert deleted.status_code == 200
    assert "“First Aid at Work” was deleted." in deleted.text
    assert (await api.request("GET", f"/v1/groups/{group_id}")).status_code == 404
    recorded = await actions(database)
    assert ("template.created", f"{group_id} (First Aid)") in recorded
    assert ("template.changed", f"{group_id} (First Aid at Work)") in recorded
    assert ("template.deleted", f"{group_id} (First Aid at Work)") in recorded


async def test_bad_template_forms_are_400_pages_naming_the_field(
    signed_in_manager: Browser, api: CertifierClient, database: Database
) -> None:
    design = await api.create_design()
    await signed_in_manager.get("/app/templates/new")
    no_design = await signed_in_manager.post("/app/templates", {"name": "Empty"})
    assert no_design.status_code == 400
    assert "designs: choose at least one design" in no_design.text
    assert 'value="Empty"' in no_design.text
    bad_url = await signed_in_manager.post(
        "/app/templates", {"name": "X", "design_1": design, "learning_event_url": "ftp://x"}
    )
    assert bad_url.status_code == 400
    assert "learning_event_url:" in bad_url.text
    no_name = await signed_in_manager.post("/app/templates", {"name": " ", "design_1": design})
    assert no_name.status_code == 400
    assert "name:" in no_name.text
    async with database.sessions() as session:
        assert (await session.execute(select(Group.id))).first() is None


async def test_deleting_a_template_in_use_is_a_friendly_409(
    signed_in_manager: Browser, api: CertifierClient, group_id: str
) -> None:
    await issue_via_api(api, group_id, "Ada Lovelace", "ada@example.org")
    await signed_in_manager.get("/app/templates")
    refused = await signed_in_manager.post(f"/app/templates/{group_id}/delete")
    assert refused.status_code == 409
    assert "“Financial Markets” has credentials, so it cannot be deleted." in refused.text
    assert (await api.request("GET", f"/v1/groups/{group_id}")).status_code == 200


async def test_custom_attributes_are_listed_and_added(
    signed_in_manager: Browser, api: CertifierClient, database: Database
) -> None:
    page = await signed_in_manager.get("/app/templates")
    assert "recipient.name" in page.text
    added = await signed_in_manager.post(
        "/app/templates/attributes",
        {"tag": "mentor", "attribute_name": "Mentor", "default_value": "The team"},
    )
    assert added.status_code == 200
    assert "custom.mentor was added." in added.text
    listed = (await api.request("GET", "/v1/attributes")).json()
    assert "custom.mentor" in [row["tag"] for row in listed]
    again = await signed_in_manager.post(
        "/app/templates/attributes", {"tag": "custom.mentor", "attribute_name": "Mentor"}
    )
    assert again.status_code == 409
    assert "custom.mentor exists already" in again.text
    bad = await signed_in_manager.post(
        "/app/templates/attributes", {"tag": "Bad Tag!", "attribute_name": "Bad"}
    )
    assert bad.status_code == 400
    assert "tag: custom.&lt;name&gt;" in bad.text
    assert ("attribute.created", "custom.mentor") in await actions(database)


async def test_another_organizations_template_is_not_found(
    make_staff: BrowserFactory, other_tenant: Tenant, group_id: str
) -> None:
    stranger = await make_staff(other_tenant.organization_id, Role.owner)
    await stranger.sign_in()
    assert (await stranger.get(f"/app/templates/{group_id}")).status_code == 404
    assert (await stranger.post(f"/app/templates/{group_id}", {"name": "Mine"})).status_code == 404
    assert (await stranger.post(f"/app/templates/{group_id}/delete")).status_code == 404
    assert "Financial Markets" not in (await stranger.get("/app/templates")).text


async def test_members_may_not_manage_templates_and_posts_need_the_csrf_token(
    signed_in_manager: Browser, make_staff: BrowserFactory, tenant: Tenant, group_id: str
) -> None:
    member = await make_staff(tenant.organization_id, Role.member)
    await member.sign_in()
    assert (await member.get("/app/templates")).status_code == 403
    assert (await member.get(f"/app/templates/{group_id}")).status_code == 403
    assert (await member.post(f"/app/templates/{group_id}/delete")).status_code == 403
    attribute = {"tag": "x", "attribute_name": "X"}
    assert (await member.post("/app/templates/attributes", attribute)).status_code == 403
    for path in (
        "/app/templates",
        f"/app/templates/{group_id}",
        f"/app/templates/{group_id}/delete",
    ):
        response = await signed_in_manager.http.post(path, data={"name": "Forged"})
        assert response.status_code == 403, path


async def test_email_templates_are_created_previewed_edited_and_deleted(
    signed_in_manager: Browser, api: CertifierClient, database: Database
) -> None:
    form = await signed_in_manager.get("/app/settings/email-templates/new")
    assert form.status_code == 200
    # The preview of the built-in text, filled with sample values and the organization's name.
    assert "has issued you a credential: Sample credential template" in form.text
    values = {
        "name": "Welcome",
        "subject": "Well done, [recipient.name]",
        "body": "Dear [recipient.name],\n\n[issuer.name] congratulates you.",
    }
    preview = await signed_in_manager.post(
        "/app/settings/email-templates", {**values, "intent": "preview"}
    )
    assert preview.status_code == 200
    assert "Well done, Alex Example" in preview.text
    assert "View your credential:" in preview.text
    assert (await api.request("GET", "/v1/email-templates")).json()["data"] == []

    created = await signed_in_manager.post(
        "/app/settings/email-templates", {**values, "intent": "save"}
    )
    assert created.status_code == 303
    template_id = created.headers["location"].split("/")[-1].split("?")[0]
    page = await signed_in_manager.get(f"/app/settings/email-templates/{template_id}?done=saved")
    assert "Saved." in page.text
    assert "Well done, Alex Example" in page.text

    unknown = await signed_in_manager.post(
        f"/app/settings/email-templates/{template_id}",
        {**values, "subject": "Hi [custom.nothing]", "intent": "save"},
    )
    assert unknown.status_code == 400
    assert "subject:" in unknown.text
    changed = await signed_in_manager.post(
        f"/app/settings/email-templates/{template_id}",
        {**values, "name": "Welcome 2", "intent": "save"},
    )
    assert changed.status_code == 303
    assert "Welcome 2" in (await signed_in_manager.get("/app/settings/email-templates")).text

    deleted = await signed_in_manager.post(f"/app/settings/email-templates/{template_id}/delete")
    assert deleted.status_code == 200
    assert "“Welcome 2” was deleted." in deleted.text
    recorded = [action for action, _ in await actions(database)]
    assert recorded.count("email_template.created") == 1
    assert recorded.count("email_template.changed") == 1
    assert recorded.count("email_template.deleted") == 1


async def test_an_email_template_in_use_is_not_deleted_and_tenancy_and_roles_hold(
    signed_in_manager: Browser,
    api: CertifierClient,
    make_staff: BrowserFactory,
    tenant: Tenant,
    other_tenant: Tenant,
) -> None:
    response = await api.request(
        "POST",
        "/v1/email-templates",
        json={"name": "Used", "subject": "[group.name]", "body": "Hello"},
    )
    template_id = response.json()["id"]
    await api.create_group(
        name="Uses it", designIds=[await api.create_design()], emailTemplateId=template_id
    )
    await signed_in_manager.get("/app/settings/email-templates")
    refused = await signed_in_manager.post(f"/app/settings/email-templates/{template_id}/delete")
    assert refused.status_code == 409
    assert "“Used” is the email of a credential template" in refused.text

    stranger = await make_staff(other_tenant.organization_id, Role.owner)
    await stranger.sign_in()
    path = f"/app/settings/email-templates/{template_id}"
    assert (await stranger.get(path)).status_code == 404
    assert (
        await stranger.post(path, {"name": "x", "subject": "x", "body": "x"})
    ).status_code == 404
    assert (await stranger.post(f"{path}/delete")).status_code == 404

    member = await make_staff(tenant.organization_id, Role.member)
    await member.sign_in()
    assert (await member.get("/app/settings/email-templates")).status_code == 403
    assert (await member.get(path)).status_code == 403
    assert (await member.post(f"{path}/delete")).status_code == 403
    forged = await signed_in_manager.http.post(f"{path}/delete")
    assert forged.status_code == 403
    forged = await signed_in_manager.http.post(
        "/app/settings/email-templates", data={"name": "x", "subject": "x", "body": "x"}
    )
    assert forged.status_code == 403


async def test_the_form_sets_description_criteria_and_an_expiry_rule(
    signed_in_manager: Browser, api: CertifierClient, database: Database, tenant: Tenant
) -> None:
    design = await api.create_design()
    await signed_in_manager.get("/app/templates/new")
    created = await signed_in_manager.post(
        "/app/templates",
        {
            "name": "First Aid",
            "design_1": design,
            "description": "  Emergency first aid at work.  ",
            "criteria": "- Attend the day\n- Pass the practical",
            "expiry_amount": "2",
            "expiry_unit": "years",
        },
    )
    assert created.status_code == 303, created.text
    group_id = created.headers["location"].split("/")[-1].split("?")[0]
    async with database.sessions() as session:
        view = await GroupRepository(session).get_view(tenant.organization_id, group_id)
    assert view is not None
    assert view.extensions == TemplateExtensions(
        "Emergency first aid at work.",
        "- Attend the day\n- Pass the practical",
        ExpiryRule(2, ExpiryUnit.years),
    )
    edit = await signed_in_manager.get(f"/app/templates/{group_id}")
    assert ">Emergency first aid at work.</textarea>" in edit.text
    assert 'value="2"' in edit.text
    assert '<option value="years" selected>' in edit.text
    listed = await signed_in_manager.get("/app/templates")
    assert "expires 2 years after issue" in listed.text
    # The rule dates what is issued from the template (the web app's issue form included).
    issued = await create_credential(api, group_id, issueDate="2024-02-29")
    assert issued["expiryDate"] == "2026-02-28"

    cleared = await signed_in_manager.post(
        f"/app/templates/{group_id}",
        {"name": "First Aid", "design_1": design, "description": " ", "expiry_amount": "2"},
    )
    assert cleared.status_code == 303
    async with database.sessions() as session:
        view = await GroupRepository(session).get_view(tenant.organization_id, group_id)
    assert view is not None and view.extensions == TemplateExtensions()
    assert "never expires" in (await signed_in_manager.get("/app/templates")).text


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"description": "x" * 5001}, "description", "at most 5000 characters"),
        ({"criteria": "x" * 10_001}, "criteria", "at most 10000 characters"),
        ({"expiry_unit": "years", "expiry_amount": ""}, "expiry_amount", "a whole number"),
        ({"expiry_unit": "years", "expiry_amount": "-1"}, "expiry_amount", "a whole number"),
        ({"expiry_unit": "years", "expiry_amount": "0"}, "expiry_amount", "1 to 100 years"),
        ({"expiry_unit": "days", "expiry_amount": "36526"}, "expiry_amount", "1 to 36525 days"),
        ({"expiry_unit": "weeks", "expiry_amount": "2"}, "expiry_unit", "never, days, months"),
    ],
)
async def test_bad_extension_fields_are_400s_at_the_field_and_write_nothing(
    signed_in_manager: Browser,
    api: CertifierClient,
    database: Database,
    fields: dict[str, str],
    field: str,
    message: str,
) -> None:
    design = await api.create_design()
    await signed_in_manager.get("/app/templates/new")
    refused = await signed_in_manager.post(
        "/app/templates", {"name": "Bad", "design_1": design, **fields}
    )
    assert refused.status_code == 400
    assert f'id="{field}-problem">' in refused.text
    assert message in refused.text
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', refused.text)
    assert 'value="Bad"' in refused.text, "what was typed is kept"
    async with database.sessions() as session:
        assert (await session.execute(select(Group.id))).first() is None


async def test_a_bad_field_on_edit_changes_nothing(
    signed_in_manager: Browser, api: CertifierClient, group_id: str
) -> None:
    design = (await api.request("GET", f"/v1/groups/{group_id}")).json()["designIds"][0]
    await signed_in_manager.get(f"/app/templates/{group_id}")
    refused = await signed_in_manager.post(
        f"/app/templates/{group_id}",
        {"name": "Renamed", "design_1": design, "criteria": "x" * 10_001},
    )
    assert refused.status_code == 400
    assert (await api.request("GET", f"/v1/groups/{group_id}")).json()["name"] == (
        "Financial Markets"
    )


async def test_members_cannot_set_the_extension_fields(
    make_staff: BrowserFactory, database: Database, tenant: Tenant, group_id: str
) -> None:
    member = await make_staff(tenant.organization_id, Role.member)
    await member.sign_in()
    await member.get("/app")
    changed = await member.post(
        f"/app/templates/{group_id}",
        {"name": "Mine", "description": "Mine", "expiry_unit": "days", "expiry_amount": "1"},
    )
    assert changed.status_code == 403
    async with database.sessions() as session:
        view = await GroupRepository(session).get_view(tenant.organization_id, group_id)
    assert view is not None and view.extensions == TemplateExtensions()
