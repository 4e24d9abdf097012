"""Activity in the web app: the home page's weekly charts of what visitors did (through the public
routes), a credential's timeline, and scheduling a draft from its page (the API's service)."""

import json
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from sqlalchemy import select

from laurel.credentials.service import today
from laurel.db import Database
from laurel.kit.timestamps import utc_now
from laurel.models import AuditEvent, Credential, CredentialInteraction, Role
from laurel.webapp.service import WEEKS
from tests.conftest import CertifierClient, Tenant
from tests.credentials.conftest import create_credential
from tests.pages.conftest import BROWSER, issue_signed
from tests.webapp.conftest import Browser, BrowserFactory


def _section(html: str, heading_id: str) -> str:
    """One chart's card of the home page."""
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def _this_week_label() -> str:
    monday = today() - timedelta(days=today().weekday())
    return f"{monday.day} {monday:%B %Y}"


async def _visit_the_public_routes(
    api: CertifierClient, app: FastAPI, public_id: str, signed: object
) -> None:
    """Two views, two downloads, one LinkedIn add, two verifications (page and API)."""
    base = f"/credentials/{public_id}"
    for _ in range(2):
        assert (await api.http.get(base, headers=BROWSER)).status_code == 200
    await app.state.view_buffer.write(app.state.database)
    assert (await api.http.get(f"{base}/credential.json")).status_code == 200
    assert (await api.http.get(f"{base}/credential.json")).status_code == 200
    assert (await api.http.get(f"{base}/share/linkedin")).status_code == 302
    body = json.dumps(signed).encode()
    form = await api.http.post(
        "/verify", files={"credential": ("c.json", body, "application/json")}
    )
    assert "Verified: every check passed." in form.text
    verified = await api.http.post(
        "/v1/verify", content=body, headers={"Content-Type": "application/json"}
    )
    assert verified.json()["verified"] is True, verified.text


async def test_home_charts_what_visitors_did_per_week(
    signed_in_manager: Browser, api: CertifierClient, group_id: str, app: FastAPI
) -> None:
    credential, signed = await issue_signed(api, group_id)
    await _visit_the_public_routes(api, app, credential["publicId"], signed)

    home = await signed_in_manager.get("/app")
    assert home.status_code == 200
    assert home.text.count('<svg class="chart"') == 5
    assert home.text.count("<rect ") == 5 * WEEKS
    week = _this_week_label()
    expected = {
        "issued-heading": ("1 issued", 1),
        "viewed-heading": ("2 views", 2),
        "downloaded-heading": ("2 downloads", 2),
        "linkedin-heading": ("1 LinkedIn add", 1),
        "verified-heading": ("2 verifications", 2),
    }
    for heading, (summary, count) in expected.items():
        card = _section(home.text, heading)
        assert f"{summary} in the last 52 weeks" in card, heading
        assert f'<td>{week}</td><td class="number">{count}</td>' in card, heading
        assert "<title id=" in card and "<desc id=" in card, "the chart names itself"


async def test_charts_leave_out_another_organizations_and_last_years_interactions(
    signed_in_manager: Browser,
    other_api: CertifierClient,
    api: CertifierClient,
    group_id: str,
    app: FastAPI,
    database: Database,
) -> None:
    other_group = await other_api.create_group(
        name="Elsewhere", designIds=[await other_api.create_design()]
    )
    theirs, _ = await issue_signed(other_api, str(other_group["id"]))
    assert (
        await other_api.http.get(f"/credentials/{theirs['publicId']}/credential.json")
    ).is_success
    ours, _ = await issue_signed(api, group_id)
    assert (await api.http.get(f"/credentials/{ours['publicId']}/credential.json")).is_success
    async with database.sessions() as session, session.begin():
        # Older than the chart's first week: no public route can date an interaction back.
        session.add(
            CredentialInteraction(
                organization_id=api.tenant.organization_id,
                credential_id=ours["id"],
                event_type="credential_downloaded",
                triggered_by="guest",
                triggered_at=utc_now() - timedelta(days=400),
            )
        )
    home = await signed_in_manager.get("/app")
    assert "1 download in the last 52 weeks" in _section(home.text, "downloaded-heading")


async def test_the_timeline_shows_deliveries_and_visits_with_views_summed_up(
    signed_in_manager: Browser, api: CertifierClient, group_id: str, app: FastAPI
) -> None:
    credential, signed = await issue_signed(api, group_id)
    sent = await api.request("POST", f"/v1/credentials/{credential['id']}/send")
    assert sent.status_code == 200, sent.text
    await _visit_the_public_routes(api, app, credential["publicId"], signed)

    page = await signed_in_manager.get(f"/app/credentials/{credential['id']}")
    timeline = page.text[page.text.index("<h2>Timeline</h2>") :]
    for entry in ("Created", "Issued", "Email queued", "Added to LinkedIn"):
        assert f"<strong>{entry}</strong>" in timeline, entry
    assert timeline.count("<strong>Downloaded</strong>") == 2
    assert timeline.count("<strong>Verified</strong>") == 2
    assert "<strong>Viewed 2 times</strong>" in timeline
    assert "credential viewed" not in timeline, "views are one entry, not one each"


def _form_moment(moment: datetime) -> str:
    return f"{moment:%Y-%m-%dT%H:%M}"


async def _scheduled_at(database: Database, credential_id: str) -> datetime | None:
    async with database.sessions() as session:
        statement = select(Credential.scheduled_at).where(Credential.id == credential_id)
        return (await session.scalars(statement)).one()


async def test_schedule_reschedule_and_back_to_draft(
    signed_in_manager: Browser, api: CertifierClient, group_id: str, database: Database
) -> None:
    draft = await create_credential(api, group_id)
    page = await signed_in_manager.get(f"/app/credentials/{draft['id']}")
    assert "(date and time in UTC" in page.text
    assert 'type="datetime-local"' in page.text
    assert "Revoke" not in page.text

    first = (utc_now() + timedelta(days=3)).replace(second=0, microsecond=0)
    response = await signed_in_manager.post(
        f"/app/credentials/{draft['id']}/schedule", {"scheduled_at": _form_moment(first)}
    )
    assert response.status_code == 303, response.text
    in_api = await api.request("GET", f"/v1/credentials/{draft['id']}")
    assert in_api.json()["status"] == "scheduled"
    assert await _scheduled_at(database, draft["id"]) == first
    page = await signed_in_manager.get(response.headers["location"])
    assert "The credential is scheduled" in page.text
    assert f"{first:%Y-%m-%d %H:%M} UTC" in page.text
    assert "Reschedule" in page.text
    assert "<strong>Scheduled</strong>" in page.text
    listed = await signed_in_manager.get("/app/credentials", params={"status": "scheduled"})
    assert f'href="/app/credentials/{draft["id"]}"' in listed.text

    later = first + timedelta(days=1, hours=2)
    moved = await signed_in_manager.post(
        f"/app/credentials/{draft['id']}/schedule", {"scheduled_at": _form_moment(later)}
    )
    assert moved.status_code == 303
    assert await _scheduled_at(database, draft["id"]) == later

    back = await signed_in_manager.post(f"/app/credentials/{draft['id']}/unschedule")
    assert back.status_code == 303
    assert (await api.request("GET", f"/v1/credentials/{draft['id']}")).json()["status"] == "draft"
    assert await _scheduled_at(database, draft["id"]) is None
    async with database.sessions() as session:
        actions = (await session.scalars(select(AuditEvent.action))).all()
    assert actions.count("credential.scheduled") == 2
    assert actions.count("credential.unscheduled") == 1


async def test_a_bad_or_past_moment_is_a_400_naming_the_field(
    signed_in_manager: Browser, api: CertifierClient, group_id: str, database: Database
) -> None:
    draft = await create_credential(api, group_id)
    await signed_in_manager.get(f"/app/credentials/{draft['id']}")
    garbled = await signed_in_manager.post(
        f"/app/credentials/{draft['id']}/schedule", {"scheduled_at": "next tuesday"}
    )
    assert garbled.status_code == 400
    assert "scheduled_at:" in garbled.text
    past = datetime(2020, 1, 1, 9, tzinfo=UTC)
    too_early = await signed_in_manager.post(
        f"/app/credentials/{draft['id']}/schedule", {"scheduled_at": _form_moment(past)}
    )
    assert too_early.status_code == 400
    assert "must be in the future" in too_early.text
    assert await _scheduled_at(database, draft["id"]) is None
    not_scheduled = await signed_in_manager.post(f"/app/credentials/{draft['id']}/unschedule")
    assert not_scheduled.status_code == 409


async def test_scheduling_needs_a_manager_the_csrf_token_and_our_credential(
    make_staff: BrowserFactory,
    tenant: Tenant,
    signed_in_manager: Browser,
    api: CertifierClient,
    other_api: CertifierClient,
    group_id: str,
    database: Database,
) -> None:
    draft = await create_credential(
        api, group_id, recipient={"name": "Mo", "email": "mo@example.org"}
    )
    moment = _form_moment(utc_now() + timedelta(days=2))
    member = await make_staff(tenant.organization_id, Role.member, email="mo@example.org")
    await member.sign_in()
    page = await member.get(f"/app/credentials/{draft['id']}")
    assert page.status_code == 200
    assert 'name="scheduled_at"' not in page.text
    forbidden = await member.post(
        f"/app/credentials/{draft['id']}/schedule", {"scheduled_at": moment}
    )
    assert forbidden.status_code == 403
    assert (await member.post(f"/app/credentials/{draft['id']}/unschedule")).status_code == 403

    await signed_in_manager.get(f"/app/credentials/{draft['id']}")
    without_token = await signed_in_manager.http.post(
        f"/app/credentials/{draft['id']}/schedule", data={"scheduled_at": moment}
    )
    assert without_token.status_code == 403
    assert await _scheduled_at(database, draft["id"]) is None

    other_group = await other_api.create_group(
        name="Elsewhere", designIds=[await other_api.create_design()]
    )
    theirs = await create_credential(other_api, str(other_group["id"]))
    elsewhere = await signed_in_manager.post(
        f"/app/credentials/{theirs['id']}/schedule", {"scheduled_at": moment}
    )
    assert elsewhere.status_code == 404
    assert (
        await signed_in_manager.post(f"/app/credentials/{theirs['id']}/unschedule")
    ).status_code == 404
    assert await _scheduled_at(database, theirs["id"]) is None
    in_api = await other_api.request("GET", f"/v1/credentials/{theirs['id']}")
    assert in_api.json()["status"] == "draft"
