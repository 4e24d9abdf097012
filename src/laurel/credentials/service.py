"""Credentials: drafted from a template, issued, sent by email, announced by webhooks."""

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import true
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.attributes.repository import AttributeRepository
from laurel.auth.dependencies import Principal
from laurel.config import Settings
from laurel.credentials.delivery import Change, CredentialJobs
from laurel.credentials.repository import CredentialRepository, InteractionRepository
from laurel.credentials.schemas import (
    CreateIssueSendRequest,
    CredentialCreate,
    CredentialRead,
    CredentialUpdate,
    CredentialView,
    ScheduleRequest,
    SearchRequest,
    SearchSort,
)
from laurel.credentials.search import FilterCompiler
from laurel.delivery.jobs import enqueue, scheduled_issue_job
from laurel.email_templates.rendering import EmailText
from laurel.email_templates.service import chosen_template
from laurel.groups.repository import GroupRepository
from laurel.groups.schemas import GroupView
from laurel.kit.errors import Conflict, NotFound, ValidationFailed, found, found_by_id
from laurel.kit.pagination import PageParams, PageResult
from laurel.kit.timestamps import utc_now
from laurel.models import CredentialState
from laurel.webhooks.events import credential_event_jobs_for, publish_credential_events

# How far ahead a credential may be scheduled.
SCHEDULE_HORIZON = timedelta(days=365)
# What issuing a draft writes: a scheduled one is issued now and loses its schedule.
_ISSUED: dict[str, Any] = {"state": CredentialState.issued, "scheduled_at": None}


def today() -> date:
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class CreatedAndIssued:
    """What create-issue-send did: the credential, and whether an email was queued for it."""

    credential: CredentialRead
    emailed: bool


class Credentials:
    """The credential operations of one request: its session, caller and settings."""

    def __init__(self, session: AsyncSession, principal: Principal, settings: Settings) -> None:
        self.session = session
        self.principal = principal
        self.settings = settings
        self.repository = CredentialRepository(session)
        self._custom_defaults: dict[str, str | None] | None = None

    @property
    def organization_id(self) -> str:
        return self.principal.organization_id

    async def read(self, view: CredentialView) -> CredentialRead:
        return view.to_read(today(), await self._defaults())

    async def _defaults(self) -> dict[str, str | None]:
        """The organization's custom attributes and their defaults, read once per request."""
        if self._custom_defaults is None:
            repository = AttributeRepository(self.session)
            self._custom_defaults = await repository.custom_defaults(self.organization_id)
        return self._custom_defaults

    async def get(self, credential_id: str) -> CredentialRead:
        return await self.read(await self._view(credential_id))

    async def list_page(self, params: PageParams) -> PageResult[CredentialRead]:
        page = await self.repository.list_views(self.organization_id, params)
        return PageResult([await self.read(view) for view in page.rows], page.prev, page.next)

    async def create(self, data: CredentialCreate) -> CredentialRead:
        view = await self._insert(data, CredentialState.draft, await self._group(data.group_id))
        return await self._announce(view, "credential.created")

    async def issue(self, credential_id: str) -> CredentialRead:
        """Issue a draft now; a scheduled one is issued too, and its schedule dropped."""
        view = await self._view(credential_id)
        updated_at = await self.repository.update_draft(self.organization_id, view.id, _ISSUED)
        if updated_at is None:
            raise Conflict("Only a draft credential can be issued")
        read = await self.read(replace(view, **_ISSUED, updated_at=updated_at))
        await self._set_off(read, Change(issued=True), email_template=None)
        return read

    async def schedule(self, credential_id: str, request: ScheduleRequest) -> CredentialRead:
        """Have the worker issue and send a draft at `scheduledAt` (again: move the moment)."""
        scheduled_at = request.scheduled_at
        now = utc_now()
        if scheduled_at <= now:
            raise ValidationFailed("scheduledAt: must be in the future", param="scheduledAt")
        if scheduled_at > now + SCHEDULE_HORIZON:
            raise ValidationFailed(
                f"scheduledAt: must be at most {SCHEDULE_HORIZON.days} days ahead",
                param="scheduledAt",
            )
        view = await self._view(credential_id)
        values = {"scheduled_at": scheduled_at}
        updated_at = await self.repository.update_draft(self.organization_id, view.id, values)
        if updated_at is None:
            raise Conflict("Only a draft credential can be scheduled")
        read = await self.read(replace(view, scheduled_at=scheduled_at, updated_at=updated_at))
        events = await self._event_jobs(read, "credential.updated")
        job = scheduled_issue_job(self.organization_id, view.id, scheduled_at)
        await enqueue(self.session, [job, *events])
        return read

    async def unschedule(self, credential_id: str) -> CredentialRead:
        """Turn a scheduled draft back into a plain draft; its queued issue then does nothing."""
        view = await self._view(credential_id)
        updated_at = None
        if view.scheduled_at is not None:
            unscheduled = {"scheduled_at": None}
            updated_at = await self.repository.update_draft(
                self.organization_id, view.id, unscheduled, scheduled_at=view.scheduled_at
            )
        if updated_at is None:
            raise Conflict(
                "Only a credential scheduled with POST /v1/credentials/{id}/schedule "
                "can be unscheduled"
            )
        return await self._announce(
            replace(view, scheduled_at=None, updated_at=updated_at), "credential.updated"
        )

    async def issue_when_due(self, credential_id: str, scheduled_at: datetime) -> bool:
        """Issue and send a credential scheduled for `scheduled_at`: the worker's scheduled job.

        Only a draft still scheduled for that very moment is issued, by one conditional update:
        a job outdated by a reschedule, an unschedule, an issue by hand or a deletion does
        nothing, and of two runs of one job only one issues. Then the jobs create-issue-send
        queues: signing, and the email with `credential.sent` when the recipient has an email.
        Returns whether it issued.
        """
        updated_at = await self.repository.update_draft(
            self.organization_id, credential_id, _ISSUED, scheduled_at=scheduled_at
        )
        if updated_at is None:
            return False
        issued = await self._view(credential_id)
        read = await self.read(issued)
        template = None
        if issued.recipient_email:
            template = await self._template(None, await self._group(issued.group_id))
        await self._set_off(read, Change(issued=True, sent=True), email_template=template)
        return True

    async def send(self, credential_id: str, email_template_id: str | None) -> CredentialRead:
        """Email an issued credential, with the template the request, or else its credential
        template, chooses."""
        view = await self._view(credential_id)
        if view.state != CredentialState.issued:
            raise Conflict("Only an issued credential can be sent; issue it first")
        if not view.recipient_email:
            # Checked before anything else is read or written.
            raise ValidationFailed(
                "recipient.email: the credential has no recipient email to send to",
                param="recipient.email",
            )
        # The credential template is read only when the request does not choose.
        group = None if email_template_id else await self._group(view.group_id)
        template = await self._template(email_template_id, group)
        read = await self.read(view)
        await self._set_off(read, Change(sent=True), email_template=template)
        return read

    async def create_issue_send(self, data: CreateIssueSendRequest) -> CreatedAndIssued:
        """One insert of an issued credential, and one of its jobs: signing, email, events.

        A recipient without an email is issued all the same; no email, no `credential.sent`.
        """
        group = await self._group(data.group_id)
        # Before any write: an email template that is not the organization's is a 400.
        template = await self._template(data.email_template_id, group)
        read = await self.read(await self._insert(data, CredentialState.issued, group))
        change = Change(created=True, issued=True, sent=True)
        emailing = template if data.recipient.email else None
        emailed = await self._set_off(read, change, email_template=emailing)
        return CreatedAndIssued(read, emailed=emailed)

    async def update(self, credential_id: str, changes: CredentialUpdate) -> CredentialRead:
        view = await self._view(credential_id)
        values = _changed_columns(changes)
        issue = values.get("issue_date", view.issue_date)
        expiry = values.get("expiry_date", view.expiry_date)
        if expiry is not None and expiry < issue:
            raise ValidationFailed("expiryDate: must not be before issueDate", param="expiryDate")
        if "custom_attributes" in values:
            await self._check_custom_attributes(values["custom_attributes"])
        updated_at = await self.repository.update(self.organization_id, view.id, values)
        return await self._announce(
            replace(view, **values, updated_at=updated_at), "credential.updated"
        )

    async def delete(self, credential_id: str) -> None:
        view = await self._view(credential_id)
        read = await self.read(view)
        await self.repository.delete(self.organization_id, view.id)
        await publish_credential_events(
            self.session, self.organization_id, ["credential.deleted"], _body(read)
        )

    async def search(self, request: SearchRequest) -> tuple[list[CredentialRead], str | None]:
        # No filter (or `{}`) finds every credential, as Certifier's search does.
        condition = FilterCompiler(today()).compile(request.filter) if request.filter else true()
        offset = _decode_offset(request.cursor)
        views, more = await self.repository.search_views(
            self.organization_id, condition, request.sort or SearchSort(), offset, request.limit
        )
        next_cursor = _encode_offset(offset + request.limit) if more else None
        return [await self.read(view) for view in views], next_cursor

    async def view(self, credential_id: str) -> CredentialView:
        return await self._view(credential_id)

    async def _view(self, credential_id: str) -> CredentialView:
        get_view = partial(self.repository.get_view, self.organization_id)
        return await found_by_id(get_view, credential_id)

    async def _group(self, group_id: str) -> GroupView:
        return found(await GroupRepository(self.session).get_view(self.organization_id, group_id))

    async def _insert(
        self, data: CredentialCreate, state: CredentialState, group: GroupView
    ) -> CredentialView:
        await self._check_custom_attributes(data.custom_attributes)
        issue_date = data.issue_date or today()
        row = await self.repository.insert(
            self.organization_id,
            {
                "group_id": group.id,
                "state": state,
                "recipient_name": data.recipient.name,
                "recipient_email": data.recipient.email,
                "issue_date": issue_date,
                "expiry_date": expiry_of(data, group, issue_date),
                "custom_attributes": data.custom_attributes,
            },
        )
        return CredentialView.from_row(row, group.name)

    async def _template(self, requested_id: str | None, group: GroupView | None) -> EmailText:
        return await chosen_template(
            self.session,
            self.organization_id,
            requested_id=requested_id,
            group_template_id=group.email_template_id if group else None,
        )

    async def _set_off(
        self, read: CredentialRead, change: Change, *, email_template: EmailText | None
    ) -> bool:
        """Queue what `change` sets off (credentials/delivery.py); returns whether it emails."""
        builder = await CredentialJobs.load(
            self.session, self.settings, self.organization_id, email_template=email_template
        )
        built = builder.for_change(read.id, lambda: read, change)
        await enqueue(self.session, built.jobs)
        return built.emailed

    async def _announce(self, view: CredentialView, *event_types: str) -> CredentialRead:
        read = await self.read(view)
        await enqueue(self.session, await self._event_jobs(read, *event_types))
        return read

    async def _event_jobs(self, read: CredentialRead, *event_types: str) -> list[dict[str, Any]]:
        """The webhook jobs announcing these events about the credential."""
        return await credential_event_jobs_for(
            self.session, self.organization_id, list(event_types), lambda: _body(read)
        )

    async def _check_custom_attributes(self, values: dict[str, str]) -> None:
        if not values:
            return
        defined = await self._defaults()
        for tag in values:
            if tag not in defined:
                raise ValidationFailed(
                    f"customAttributes.{tag}: not an attribute of this organization; "
                    "define it with POST /v1/attributes",
                    param=f"customAttributes.{tag}",
                )


def expiry_of(data: CredentialCreate, group: GroupView, issue_date: date) -> date | None:
    """The expiry date a new credential gets: the one sent, even `null` (no expiry), wins;
    when none is sent, the template's expiry rule derives it from the issue date."""
    if "expiry_date" in data.model_fields_set:
        return data.expiry_date
    return group.expiry_after(issue_date)


def _changed_columns(changes: CredentialUpdate) -> dict[str, Any]:
    """The columns a PATCH sets: only the fields it sent."""
    values: dict[str, Any] = {}
    recipient = changes.recipient
    if recipient is not None:
        if "name" in recipient.model_fields_set:
            values["recipient_name"] = recipient.name
        if "email" in recipient.model_fields_set:
            values["recipient_email"] = recipient.email
    for field in ("issue_date", "expiry_date", "custom_attributes"):
        if field in changes.model_fields_set:
            values[field] = getattr(changes, field)
    return values


def _body(read: CredentialRead) -> dict[str, Any]:
    return read.model_dump(mode="json", by_alias=True)


_OFFSET_CURSOR = re.compile(r"^o(\d{1,7})$")


def _encode_offset(offset: int) -> str:
    return f"o{offset}"


def _decode_offset(cursor: str | None) -> int:
    if cursor is None:
        return 0
    match = _OFFSET_CURSOR.match(cursor)
    if match is None:
        raise ValidationFailed("cursor: not a cursor this API returned", param="cursor")
    return int(match[1])


async def record_interaction(
    session: AsyncSession, principal: Principal, values: dict[str, Any]
) -> dict[str, Any]:
    credential_id = values["credential_id"]
    if not await CredentialRepository(session).get_view(principal.organization_id, credential_id):
        raise NotFound()
    return await InteractionRepository(session).insert(principal.organization_id, values)


async def list_interactions(
    session: AsyncSession, principal: Principal, credential_id: str | None, params: PageParams
) -> PageResult[Any]:
    return await InteractionRepository(session).list_page(
        principal.organization_id, credential_id, params
    )
