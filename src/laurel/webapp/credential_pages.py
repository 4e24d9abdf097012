"""Credentials in the web app: the table, its CSV export, one credential's page and actions, and
the form that issues one. Every action is the issuer API's own service."""

from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import RedirectResponse

from laurel.credentials.schemas import CredentialRead, SearchRequest
from laurel.credentials.service import Credentials, today
from laurel.db import DbSession
from laurel.kit.errors import NotFound
from laurel.kit.timestamps import utc_now
from laurel.links import PublicLinks
from laurel.models import Role
from laurel.vc import service as verifiable
from laurel.webapp import service
from laurel.webapp.rendering import render
from laurel.webapp.repository import CredentialActivity, TemplateReads, TimelineEntry
from laurel.webapp.routing import SignedIn, WebAppRoute, form_fields, settings_of
from laurel.webapp.schemas import (
    SORTS,
    STATUSES,
    CredentialFilters,
    credentials_csv,
    issue_request,
    revocation_reason,
    schedule_request,
)
from laurel.webapp.service import Staff

router = APIRouter(prefix="/app/credentials", route_class=WebAppRoute)

PAGE_SIZE = 25
# The export reads the table page by page through the same search; a cap keeps one click from
# holding a request for minutes. Larger exports are the API's job (POST /v1/credentials/search).
EXPORT_LIMIT = 10_000
Status = Annotated[str, Query(max_length=16)]
Text = Annotated[str, Query(max_length=200)]


def _credentials(request: Request, session: Any, staff: Staff) -> Credentials:
    return Credentials(session, staff.principal, settings_of(request))


def _table_filters(
    status: Status = "",
    template: Text = "",
    q: Text = "",
    issued_from: Annotated[str, Query(max_length=10)] = "",
    issued_to: Annotated[str, Query(max_length=10)] = "",
    sort: Annotated[str, Query(max_length=20)] = "",
) -> CredentialFilters:
    return CredentialFilters.parse(status, template, q, issued_from, issued_to, sort)


TableFilters = Annotated[CredentialFilters, Depends(_table_filters)]


def _only_email(staff: Staff) -> str | None:
    return staff.user.email if staff.sees_only_own else None


@router.get("", name="webapp.credentials")
async def credential_table(
    request: Request,
    session: DbSession,
    staff: SignedIn,
    filters: TableFilters,
    cursor: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """The organization's credentials, filtered, in the order chosen, paged by cursor."""
    search = SearchRequest(
        filter=filters.search_filter(_only_email(staff)),
        sort=filters.search_sort(),
        cursor=cursor or None,
        limit=PAGE_SIZE,
    )
    rows, next_cursor = await _credentials(request, session, staff).search(search)
    templates = await TemplateReads(session).names(staff.organization_id)
    return render(
        "credentials.html",
        {
            "staff": staff,
            "active": "credentials",
            "Role": Role,
            "rows": rows,
            "filters": filters,
            "statuses": STATUSES,
            "sorts": SORTS,
            "templates": templates,
            "template_names": dict(templates),
            "next_query": filters.query(cursor=next_cursor) if next_cursor else None,
            "export_query": filters.query(),
            "first_page": not cursor,
        },
    )


@router.get("/export.csv", name="webapp.credentials_csv")
async def export_csv(
    request: Request,
    session: DbSession,
    staff: SignedIn,
    filters: TableFilters,
) -> Response:
    """The filtered table as CSV, in its order; cells a spreadsheet would run as formulas are
    neutralized."""
    staff.require(Role.manager)
    credentials = _credentials(request, session, staff)
    rows: list[CredentialRead] = []
    cursor: str | None = None
    while len(rows) < EXPORT_LIMIT:
        search = SearchRequest(
            filter=filters.search_filter(None),
            sort=filters.search_sort(),
            cursor=cursor,
            limit=100,
        )
        page, cursor = await credentials.search(search)
        rows += page
        if cursor is None:
            break
    names = dict(await TemplateReads(session).names(staff.organization_id))
    service.record(session, staff, "credentials.exported", f"{len(rows)} rows", at=utc_now())
    return Response(
        credentials_csv(rows[:EXPORT_LIMIT], names),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="credentials.csv"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/new", name="webapp.issue_form")
async def issue_form(session: DbSession, staff: SignedIn) -> Response:
    staff.require(Role.manager)
    return await _issue_page(session, staff, {}, {})


async def _issue_page(
    session: Any, staff: Staff, values: dict[str, str], problems: dict[str, str]
) -> Response:
    templates = await TemplateReads(session).names(staff.organization_id)
    context = {
        "staff": staff,
        "active": "issue",
        "Role": Role,
        "templates": templates,
        "values": {"issue_date": today().isoformat(), "send_now": "on", **values},
        "problems": problems,
    }
    return render("issue.html", context, status_code=400 if problems else 200)


@router.post("", name="webapp.issue")
async def issue_credential(request: Request, session: DbSession, staff: SignedIn) -> Response:
    """Issue one credential from the form, and email it now if asked."""
    staff.require(Role.manager)
    form = await form_fields(request)
    data, problems = issue_request(form)
    if data is None:
        return await _issue_page(session, staff, form, problems)
    credentials = _credentials(request, session, staff)
    send_now = form.get("send_now") == "on"
    if send_now:
        credential = (await credentials.create_issue_send(data)).credential
    else:
        draft = await credentials.create(data)
        credential = await credentials.issue(draft.id)
    action = (
        "credential.issued_and_sent" if send_now and data.recipient.email else "credential.issued"
    )
    service.record(session, staff, action, _target(credential), at=utc_now())
    return RedirectResponse(f"/app/credentials/{credential.id}?done=issued", status_code=303)


def _target(credential: CredentialRead) -> str:
    return f"{credential.id} ({credential.recipient.name})"


async def _visible(request: Request, session: Any, staff: Staff, credential_id: str) -> Any:
    """The credential, if this person may see it: another organization's, or (for a member)
    someone else's, is not found."""
    credential = await _credentials(request, session, staff).get(credential_id)
    if staff.sees_only_own and (credential.recipient.email or "").lower() != staff.user.email:
        raise NotFound()
    return credential


@router.get("/{credential_id}", name="webapp.credential")
async def credential_page(
    request: Request,
    session: DbSession,
    staff: SignedIn,
    credential_id: str,
    done: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """One credential: its details, links, timeline and actions."""
    credential = await _visible(request, session, staff, credential_id)
    activity = CredentialActivity(session)
    lifecycle = await activity.lifecycle(staff.organization_id, credential.id)
    timeline = await _timeline(activity, staff, credential, lifecycle)
    links = PublicLinks.of(settings_of(request))
    names = dict(await TemplateReads(session).names(staff.organization_id))
    return render(
        "credential.html",
        {
            "staff": staff,
            "active": "credentials",
            "Role": Role,
            "credential": credential,
            "template_name": names.get(credential.group_id, ""),
            "timeline": timeline,
            "done": done,
            "scheduled_at": lifecycle.scheduled_at,
            "schedule_value": _schedule_value(lifecycle.scheduled_at),
            "public_link": links.credential_page(credential.public_id),
            "downloads": [
                ("PDF certificate", links.certificate_pdf(credential.public_id)),
                ("PNG image", links.credential_image(credential.public_id)),
                ("Signed JSON (Open Badges 3.0)", links.credential_json(credential.public_id)),
            ],
        },
    )


async def _timeline(
    activity: CredentialActivity, staff: Staff, credential: CredentialRead, lifecycle: Any
) -> list[TimelineEntry]:
    """Created, scheduled, issued, each delivery queued and attempted, what visitors did, and
    the revocation, oldest first."""
    timeline = [TimelineEntry(credential.created_at, "Created")]
    if lifecycle.scheduled_at is not None:
        when = f"to be issued and sent {lifecycle.scheduled_at:%Y-%m-%d %H:%M} UTC"
        timeline.append(TimelineEntry(credential.updated_at, "Scheduled", when))
    if credential.status != "draft" and lifecycle.scheduled_at is None:
        timeline.append(
            TimelineEntry(credential.updated_at, "Issued", f"dated {credential.issue_date}")
        )
    timeline += await activity.deliveries(staff.organization_id, credential.id)
    timeline += await activity.interactions(staff.organization_id, credential.id)
    if lifecycle.revoked_at is not None:
        timeline.append(
            TimelineEntry(lifecycle.revoked_at, "Revoked", lifecycle.revocation_reason or "")
        )
    timeline.sort(key=lambda entry: entry.at)
    return timeline


def _schedule_value(scheduled_at: datetime | None) -> str:
    """The form's date and time field: the current schedule, or tomorrow at 09:00 UTC."""
    moment = scheduled_at or datetime.combine(utc_now().date() + timedelta(days=1), time(9, 0), UTC)
    return f"{moment:%Y-%m-%dT%H:%M}"


@router.post("/{credential_id}/schedule", name="webapp.credential_schedule")
async def schedule_credential(
    request: Request, session: DbSession, staff: SignedIn, credential_id: str
) -> Response:
    """Have a draft issued and sent at a moment (UTC), or move the moment of a scheduled one:
    the API's `POST /v1/credentials/{id}/schedule`."""
    staff.require(Role.manager)
    schedule = schedule_request(await form_fields(request))
    credential = await _credentials(request, session, staff).schedule(credential_id, schedule)
    target = f"{_target(credential)} at {schedule.scheduled_at:%Y-%m-%d %H:%M} UTC"
    service.record(session, staff, "credential.scheduled", target, at=utc_now())
    return RedirectResponse(f"/app/credentials/{credential.id}?done=scheduled", status_code=303)


@router.post("/{credential_id}/unschedule", name="webapp.credential_unschedule")
async def unschedule_credential(
    request: Request, session: DbSession, staff: SignedIn, credential_id: str
) -> Response:
    """A scheduled credential back to a draft: the API's `DELETE /v1/credentials/{id}/schedule`."""
    staff.require(Role.manager)
    credential = await _credentials(request, session, staff).unschedule(credential_id)
    service.record(session, staff, "credential.unscheduled", _target(credential), at=utc_now())
    return RedirectResponse(f"/app/credentials/{credential.id}?done=unscheduled", status_code=303)


@router.post("/{credential_id}/send", name="webapp.credential_send")
async def send_credential(
    request: Request, session: DbSession, staff: SignedIn, credential_id: str
) -> Response:
    """Email the credential to its recipient (again)."""
    staff.require(Role.manager)
    credential = await _credentials(request, session, staff).send(credential_id, None)
    service.record(session, staff, "credential.sent", _target(credential), at=utc_now())
    return RedirectResponse(f"/app/credentials/{credential.id}?done=sent", status_code=303)


@router.post("/{credential_id}/revoke", name="webapp.credential_revoke")
async def revoke_credential(
    request: Request, session: DbSession, staff: SignedIn, credential_id: str
) -> Response:
    """Revoke the credential with a reason; its public page and status list then say so."""
    staff.require(Role.manager)
    reason = revocation_reason(await form_fields(request))
    revoked = await verifiable.revoke_credential(
        session, settings_of(request), staff.principal, credential_id, reason
    )
    target = f"{revoked['id']} ({revoked['recipient']['name']}): {reason}"
    service.record(session, staff, "credential.revoked", target, at=utc_now())
    return RedirectResponse(f"/app/credentials/{revoked['id']}?done=revoked", status_code=303)
