"""Credentials: drafted from a template, issued, sent by email, announced by webhooks."""

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import true
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.auth.dependencies import Principal
from laurel.config import Settings
from laurel.credentials.delivery import credential_email_job, email_sender
from laurel.credentials.repository import (
    AttributeRepository,
    CredentialRepository,
    InteractionRepository,
)
from laurel.credentials.schemas import (
    BUILT_IN_ATTRIBUTES,
    CUSTOM_ATTRIBUTE_PREFIX,
    CreateIssueSendRequest,
    CredentialCreate,
    CredentialRead,
    CredentialUpdate,
    CredentialView,
    SearchRequest,
    SearchSort,
)
from laurel.credentials.search import FilterCompiler
from laurel.delivery.events import (
    credential_event_jobs_for,
    enqueue,
    publish_credential_events,
    signing_job,
)
from laurel.email_templates.rendering import EmailText
from laurel.email_templates.service import chosen_template
from laurel.groups.repository import GroupRepository
from laurel.groups.schemas import GroupView
from laurel.kit.errors import Conflict, NotFound, ValidationFailed, found
from laurel.kit.ids import is_valid_id, new_id
from laurel.kit.pagination import PageParams, PageResult
from laurel.models import CredentialState


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
        view = await self._view(credential_id)
        if view.state != CredentialState.draft:
            raise Conflict("Only a draft credential can be issued")
        state = {"state": CredentialState.issued}
        updated_at = await self.repository.update(self.organization_id, view.id, state)
        issued = replace(view, state=CredentialState.issued, updated_at=updated_at)
        read = await self.read(issued)
        events = await self._event_jobs(read, "credential.issued")
        await enqueue(self.session, [signing_job(self.organization_id, issued.id), *events])
        return read

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
        email = await self._email_job(read, template)
        events = await self._event_jobs(read, "credential.sent")
        await enqueue(self.session, [*([email] if email else []), *events])
        return read

    async def create_issue_send(self, data: CreateIssueSendRequest) -> CreatedAndIssued:
        """One insert of an issued credential, and one of its jobs: signing, email, events.

        A recipient without an email is issued all the same; no email, no `credential.sent`.
        """
        group = await self._group(data.group_id)
        # Before any write: an email template that is not the organization's is a 400.
        template = await self._template(data.email_template_id, group)
        view = await self._insert(data, CredentialState.issued, group)
        read = await self.read(view)
        email = await self._email_job(read, template)
        event_types = ["credential.created", "credential.issued"]
        if email is not None:
            event_types.append("credential.sent")
        events = await self._event_jobs(read, *event_types)
        jobs = [signing_job(self.organization_id, view.id), *([email] if email else [])]
        await enqueue(self.session, [*jobs, *events])
        return CreatedAndIssued(read, emailed=email is not None)

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
        return found(
            await self.repository.get_view(self.organization_id, credential_id)
            if is_valid_id(credential_id)
            else None
        )

    async def _group(self, group_id: str) -> GroupView:
        return found(await GroupRepository(self.session).get_view(self.organization_id, group_id))

    async def _insert(
        self, data: CredentialCreate, state: CredentialState, group: GroupView
    ) -> CredentialView:
        await self._check_custom_attributes(data.custom_attributes)
        row = await self.repository.insert(
            self.organization_id,
            {
                "group_id": group.id,
                "state": state,
                "recipient_name": data.recipient.name,
                "recipient_email": data.recipient.email,
                "issue_date": data.issue_date or today(),
                "expiry_date": data.expiry_date,
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

    async def _email_job(self, read: CredentialRead, template: EmailText) -> dict[str, Any] | None:
        """The email job, or None when the credential has no recipient email."""
        if read.recipient.email is None:
            return None
        return credential_email_job(
            self.settings,
            await email_sender(self.session, self.organization_id),
            template,
            read,
            # One Message-ID per send request, so a receiving server can spot a repeat.
            message_id=f"<{read.id}.{new_id()}@laurel>",
        )

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


ATTRIBUTE_TAG = re.compile(r"^custom\.[a-z][a-z0-9_]{0,62}$")


async def list_attributes(session: AsyncSession, principal: Principal) -> list[dict[str, Any]]:
    builtin = [
        {"tag": tag, "name": name, "isDefault": True, "defaultValue": None}
        for tag, name in BUILT_IN_ATTRIBUTES.items()
    ]
    custom = [
        {"tag": row.tag, "name": row.name, "isDefault": False, "defaultValue": row.default_value}
        for row in await AttributeRepository(session).list_custom(principal.organization_id)
    ]
    return builtin + custom


async def create_attribute(
    session: AsyncSession, principal: Principal, tag: str, name: str, default: str | None
) -> dict[str, Any]:
    if not tag.startswith(CUSTOM_ATTRIBUTE_PREFIX):
        tag = CUSTOM_ATTRIBUTE_PREFIX + tag
    if not ATTRIBUTE_TAG.match(tag):
        raise ValidationFailed(
            "tag: custom.<name>, lowercase letters, digits and _ (e.g. custom.mentor)", param="tag"
        )
    repository = AttributeRepository(session)
    if tag in await repository.custom_defaults(principal.organization_id):
        raise Conflict(f"The attribute {tag} exists already")
    await repository.insert(principal.organization_id, tag, name, default)
    return {"tag": tag, "name": name, "isDefault": False, "defaultValue": default}


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
