"""Credentials in the web app: the table and its filters, one credential's page, issuing,
sending, revoking, the CSV export; scoped to the organization chosen and the role held there."""

import csv
import io

from sqlalchemy import select

from laurel.db import Database
from laurel.models import AuditEvent, Credential, JobKind, OutboxJob, Role
from laurel.webapp.schemas import neutralized
from tests.conftest import CertifierClient, Tenant
from tests.webapp.conftest import Browser, BrowserFactory, issue_via_api


async def test_the_table_lists_the_organizations_credentials_only(
    signed_in_manager: Browser,
    api: CertifierClient,
    other_api: CertifierClient,
    group_id: str,
) -> None:
    await issue_via_api(api, group_id, "Ada Lovelace", "ada@example.org")
    other_group = await other_api.create_group(
        name="Elsewhere", designIds=[await other_api.create_design()]
    )
    await issue_via_api(other_api, str(other_group["id"]), "Not Ours", "x@example.org")

    page = await signed_in_manager.get("/app/credentials")
    assert page.status_code == 200
    assert "Ada Lovelace" in page.text
    assert "Financial Markets" in page.text
    assert "Not Ours" not in page.text


async def test_filters_narrow_the_table(
    signed_in_manager: Browser, api: CertifierClient, group_id: str
) -> None:
    await issue_via_api(api, group_id, "Ada Lovelace", "ada@example.org")
    await issue_via_api(api, group_id, "Grace Hopper", "grace@example.org")
    found = await signed_in_manager.get("/app/credentials", params={"q": "grace"})
    assert "Grace Hopper" in found.text
    assert "Ada Lovelace" not in found.text
    none = await signed_in_manager.get("/app/credentials", params={"status": "revoked"})
    assert "Grace Hopper" not in none.text
    assert "No credentials match" in none.text
    by_template = await signed_in_manager.get("/app/credentials", params={"template": group_id})
    assert "Ada Lovelace" in by_template.text


async def test_issue_dates_narrow_the_table_and_the_order_is_chosen(
    signed_in_manager: Browser, api: CertifierClient, group_id: str
) -> None:
    for name, issued in (("Early Bird", "2026-01-10"), ("Mid Year", "2026-06-15")):
        response = await api.request(
            "POST",
            "/v1/credentials/create-issue-send",
            json={"groupId": group_id, "recipient": {"name": name}, "issueDate": issued},
        )
        assert response.status_code == 200, response.text
    spring = {"issued_from": "2026-01-01", "issued_to": "2026-03-31"}
    found = await signed_in_manager.get("/app/credentials", params=spring)
    assert "Early Bird" in found.text
    assert "Mid Year" not in found.text
    # The export is the table as filtered.
    export = await signed_in_manager.get("/app/credentials/export.csv", params=spring)
    assert "Early Bird" in export.text
    assert "Mid Year" not in export.text
    earliest = await signed_in_manager.get("/app/credentials", params={"sort": "issued_earliest"})
    assert earliest.text.index("Early Bird") < earliest.text.index("Mid Year")
    latest = await signed_in_manager.get("/app/credentials", params={"sort": "issued_latest"})
    assert latest.text.index("Mid Year") < latest.text.index("Early Bird")
    assert '<option value="issued_latest" selected>' in latest.text


async def test_a_bad_filter_is_a_400_page_naming_the_field(signed_in_manager: Browser) -> None:
    response = await signed_in_manager.get("/app/credentials", params={"status": "lost"})
    assert response.status_code == 400
    assert "text/html" in response.headers["content-type"]
    assert "status: choose one of" in response.text
    for field, value in (("issued_from", "2026-13-01"), ("sort", "alphabetical")):
        refused = await signed_in_manager.get("/app/credentials", params={field: value})
        assert refused.status_code == 400
        assert f"{field}: " in refused.text


async def test_the_table_pages_by_cursor(
    signed_in_manager: Browser, api: CertifierClient, group_id: str
) -> None:
    for number in range(27):
        await issue_via_api(api, group_id, f"Person {number:02d}", f"p{number}@example.org")
    first = await signed_in_manager.get("/app/credentials")
    assert first.text.count('href="/app/credentials/01') == 25
    assert "Next page" in first.text
    second = await signed_in_manager.get("/app/credentials", params={"cursor": "o25"})
    assert second.text.count('href="/app/credentials/01') == 2
    assert "Next page" not in second.text


async def test_another_organizations_credential_is_not_found(
    signed_in_manager: Browser, other_api: CertifierClient
) -> None:
    other_group = await other_api.create_group(
        name="Elsewhere", designIds=[await other_api.create_design()]
    )
    theirs = await issue_via_api(other_api, str(other_group["id"]), "Not Ours", "x@example.org")
    assert (await signed_in_manager.get(f"/app/credentials/{theirs}")).status_code == 404
    await signed_in_manager.get("/app/credentials")
    revoke = await signed_in_manager.post(f"/app/credentials/{theirs}/revoke", {"reason": "x"})
    assert revoke.status_code == 404
    send = await signed_in_manager.post(f"/app/credentials/{theirs}/send")
    assert send.status_code == 404
    assert (await signed_in_manager.get("/app/credentials/not-an-id")).status_code == 404


async def test_issue_one_credential_from_the_form_and_send_it(
    signed_in_manager: Browser, group_id: str, database: Database
) -> None:
    form = await signed_in_manager.get("/app/credentials/new")
    assert form.status_code == 200
    assert "Financial Markets" in form.text
    response = await signed_in_manager.post(
        "/app/credentials",
        {
            "template": group_id,
            "recipient_name": "Ada Lovelace",
            "recipient_email": "ada@example.org",
            "issue_date": "2026-11-20",
            "send_now": "on",
        },
    )
    assert response.status_code == 303, response.text
    page = await signed_in_manager.get(response.headers["location"])
    assert "The credential was issued." in page.text
    assert "Ada Lovelace" in page.text
    assert "20 November 2026" in page.text
    assert "Email queued" in page.text
    async with database.sessions() as session:
        credential = (await session.scalars(select(Credential))).one()
        emails = (
            await session.scalars(select(OutboxJob).where(OutboxJob.kind == JobKind.email))
        ).all()
        audit = (await session.scalars(select(AuditEvent))).all()
    assert credential.state == "issued"
    assert [job.payload["to"] for job in emails] == ["ada@example.org"]
    assert ("credential.issued_and_sent", signed_in_manager.email) in {
        (event.action, event.actor_email) for event in audit
    }


async def test_issue_without_sending_queues_no_email(
    signed_in_manager: Browser, group_id: str, database: Database
) -> None:
    await signed_in_manager.get("/app/credentials/new")
    response = await signed_in_manager.post(
        "/app/credentials",
        {"template": group_id, "recipient_name": "Ada", "recipient_email": "ada@example.org"},
    )
    assert response.status_code == 303
    async with database.sessions() as session:
        credential = (await session.scalars(select(Credential))).one()
        emails = (
            await session.scalars(select(OutboxJob).where(OutboxJob.kind == JobKind.email))
        ).all()
    assert credential.state == "issued"
    assert emails == []


async def test_a_bad_issue_form_comes_back_with_the_field_named(
    signed_in_manager: Browser, group_id: str, database: Database
) -> None:
    await signed_in_manager.get("/app/credentials/new")
    response = await signed_in_manager.post(
        "/app/credentials",
        {"template": group_id, "recipient_name": "", "recipient_email": "not an email"},
    )
    assert response.status_code == 400
    assert 'id="recipient_name-problem"' in response.text
    assert 'id="recipient_email-problem"' in response.text
    assert 'value="not an email"' in response.text
    async with database.sessions() as session:
        assert (await session.scalars(select(Credential))).all() == []


async def test_another_organizations_template_cannot_be_issued_from(
    signed_in_manager: Browser, other_api: CertifierClient
) -> None:
    other_group = await other_api.create_group(
        name="Elsewhere", designIds=[await other_api.create_design()]
    )
    await signed_in_manager.get("/app/credentials/new")
    response = await signed_in_manager.post(
        "/app/credentials", {"template": str(other_group["id"]), "recipient_name": "Ada"}
    )
    assert response.status_code == 404


async def test_revoke_with_a_reason_and_the_public_page_says_revoked(
    signed_in_manager: Browser, api: CertifierClient, group_id: str
) -> None:
    credential_id = await issue_via_api(api, group_id, "Ada Lovelace", "ada@example.org")
    page = await signed_in_manager.get(f"/app/credentials/{credential_id}")
    assert "Revoke" in page.text
    without_reason = await signed_in_manager.post(
        f"/app/credentials/{credential_id}/revoke", {"reason": " "}
    )
    assert without_reason.status_code == 400
    assert "reason:" in without_reason.text

    revoked = await signed_in_manager.post(
        f"/app/credentials/{credential_id}/revoke", {"reason": "Issued by mistake"}
    )
    assert revoked.status_code == 303
    after = await signed_in_manager.get(revoked.headers["location"])
    assert "status-revoked" in after.text
    assert "Issued by mistake" in after.text

    public_id = (await api.request("GET", f"/v1/credentials/{credential_id}")).json()["publicId"]
    public = await signed_in_manager.http.get(
        f"/credentials/{public_id}", headers={"Accept": "text/html"}
    )
    assert public.status_code == 200
    assert "revoked" in public.text.lower()
    again = await signed_in_manager.post(
        f"/app/credentials/{credential_id}/revoke", {"reason": "twice"}
    )
    assert again.status_code == 409


async def test_send_again_queues_an_email(
    signed_in_manager: Browser, api: CertifierClient, group_id: str, database: Database
) -> None:
    credential_id = await issue_via_api(api, group_id, "Ada Lovelace", "ada@example.org")
    await signed_in_manager.get(f"/app/credentials/{credential_id}")
    response = await signed_in_manager.post(f"/app/credentials/{credential_id}/send")
    assert response.status_code == 303
    async with database.sessions() as session:
        emails = (
            await session.scalars(select(OutboxJob).where(OutboxJob.kind == JobKind.email))
        ).all()
    assert len(emails) == 2


async def test_a_member_sees_only_their_own_credentials_and_may_not_act(
    make_staff: BrowserFactory, tenant: Tenant, api: CertifierClient, group_id: str
) -> None:
    member = await make_staff(tenant.organization_id, Role.member, email="mo@example.org")
    await member.sign_in()
    own = await issue_via_api(api, group_id, "Mo Member", "mo@example.org")
    someone_elses = await issue_via_api(api, group_id, "Ada Lovelace", "ada@example.org")

    table = await member.get("/app/credentials")
    assert "Mo Member" in table.text
    assert "Ada Lovelace" not in table.text
    assert (await member.get(f"/app/credentials/{own}")).status_code == 200
    assert (await member.get(f"/app/credentials/{someone_elses}")).status_code == 404

    assert (await member.get("/app/credentials/new")).status_code == 403
    assert (await member.get("/app/credentials/export.csv")).status_code == 403
    revoke = await member.post(f"/app/credentials/{own}/revoke", {"reason": "mine"})
    assert revoke.status_code == 403
    assert (await member.post(f"/app/credentials/{own}/send")).status_code == 403
    issue = await member.post("/app/credentials", {"template": group_id, "recipient_name": "X"})
    assert issue.status_code == 403


async def test_the_csv_export_neutralizes_formulas(
    signed_in_manager: Browser, api: CertifierClient, group_id: str, database: Database
) -> None:
    await issue_via_api(api, group_id, "=HYPERLINK(1)", "eve@example.org")
    await issue_via_api(api, group_id, "+1 Plus", "p@example.org")
    await issue_via_api(api, group_id, "@SUM(A1)", "s@example.org")
    await issue_via_api(api, group_id, "-2 Minus", "m@example.org")
    await issue_via_api(api, group_id, "Plain Name", "plain@example.org")
    response = await signed_in_manager.get("/app/credentials/export.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    names = sorted(row["recipient_name"] for row in rows)
    assert names == ["'+1 Plus", "'-2 Minus", "'=HYPERLINK(1)", "'@SUM(A1)", "Plain Name"]
    assert {row["template"] for row in rows} == {"Financial Markets"}
    filtered = await signed_in_manager.get("/app/credentials/export.csv", params={"q": "plain"})
    assert [row["recipient_name"] for row in csv.DictReader(io.StringIO(filtered.text))] == [
        "Plain Name"
    ]
    async with database.sessions() as session:
        actions = (await session.scalars(select(AuditEvent.action))).all()
    assert "credentials.exported" in actions


def test_neutralized_leaves_ordinary_text_alone() -> None:
    assert neutralized("Ada") == "Ada"
    assert neutralized("") == ""
    assert neutralized("=1+1") == "'=1+1"
    assert neutralized("\t=1") == "'\t=1"
