"""Settings → email templates: list, create, edit, delete, and a preview filled with sample values
by the same builder the worker sends with. Managers and up (they choose a credential template's
email too)."""

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from laurel.attributes.repository import AttributeRepository
from laurel.credentials.service import today
from laurel.db import DbSession
from laurel.email_templates import service as email_templates
from laurel.email_templates.rendering import (
    DEFAULT_TEMPLATE,
    EmailText,
    RenderedEmail,
    render_credential_email,
)
from laurel.email_templates.schemas import EmailTemplateCreate, EmailTemplateUpdate
from laurel.kit.errors import Conflict, ValidationFailed
from laurel.kit.pagination import PageParams
from laurel.kit.timestamps import utc_now
from laurel.links import PublicLinks
from laurel.models import EmailTemplate, Role
from laurel.webapp import service
from laurel.webapp.rendering import render
from laurel.webapp.routing import SignedIn, WebAppRoute, form_fields, settings_of
from laurel.webapp.service import Staff

router = APIRouter(prefix="/app/settings/email-templates", route_class=WebAppRoute)
LISTED = 100
SAMPLE_PUBLIC_ID = "sample-credential"


def _page(staff: Staff, page_template: str, status: int = 200, **context: Any) -> Response:
    return render(
        page_template,
        {"staff": staff, "active": "email_templates", "Role": Role, **context},
        status_code=status,
    )


async def _sample_values(session: Any, staff: Staff) -> dict[str, str | None]:
    """What a credential's email would be filled with: made-up recipient and dates, the
    organization's own name and custom attributes' defaults (or their tags)."""
    issued = today()
    custom = await AttributeRepository(session).custom_defaults(staff.organization_id)
    return {
        "recipient.name": "Alex Example",
        "recipient.email": "alex@example.org",
        "group.name": "Sample credential template",
        "credential.issueDate": issued.isoformat(),
        "credential.expiryDate": (issued + timedelta(days=730)).isoformat(),
        "credential.publicId": SAMPLE_PUBLIC_ID,
        "certificate.uuid": SAMPLE_PUBLIC_ID,
        "certificate.issued_on": issued.isoformat(),
        **{tag: default or f"({tag})" for tag, default in custom.items()},
        "issuer.name": staff.organization.name,
    }


async def _preview(request: Request, session: Any, staff: Staff, text: EmailText) -> RenderedEmail:
    values = await _sample_values(session, staff)
    return render_credential_email(
        text,
        values,
        issuer=staff.organization.name,
        logo=None,
        heading=values["group.name"] or "",
        link=PublicLinks.of(settings_of(request)).credential_page(SAMPLE_PUBLIC_ID),
    )


async def _list_page(
    session: Any, staff: Staff, *, message: str = "", problem: str = "", status: int = 200
) -> Response:
    listed = await email_templates.list_templates(
        session, staff.principal, PageParams(LISTED, None)
    )
    return _page(
        staff,
        "email_templates.html",
        status,
        templates=listed.rows,
        message=message,
        problem=problem,
    )


async def _form_page(
    request: Request,
    session: Any,
    staff: Staff,
    *,
    template: EmailTemplate | None,
    values: dict[str, str],
    problem: str = "",
    saved: bool = False,
) -> Response:
    preview = await _preview(request, session, staff, EmailText(values["subject"], values["body"]))
    return _page(
        staff,
        "email_template_form.html",
        400 if problem else 200,
        email_template=template,
        values=values,
        problem=problem,
        saved=saved,
        preview=preview,
    )


def _values_of(template: EmailTemplate | None) -> dict[str, str]:
    if template is None:
        return {"name": "", "subject": DEFAULT_TEMPLATE.subject, "body": DEFAULT_TEMPLATE.body}
    return {"name": template.name, "subject": template.subject, "body": template.body}


def _submitted(form: dict[str, str]) -> dict[str, str]:
    return {key: form.get(key, "") for key in ("name", "subject", "body")}


def _problem_of(error: ValidationError | ValidationFailed) -> str:
    if isinstance(error, ValidationFailed):
        return error.message
    first = error.errors()[0]
    return f"{'.'.join(str(part) for part in first['loc'])}: {first['msg']}"


@router.get("", name="webapp.email_templates")
async def template_list(session: DbSession, staff: SignedIn) -> Response:
    """The organization's email templates."""
    staff.require(Role.manager)
    return await _list_page(session, staff)


@router.get("/new", name="webapp.email_template_new")
async def new_template(request: Request, session: DbSession, staff: SignedIn) -> Response:
    staff.require(Role.manager)
    return await _form_page(request, session, staff, template=None, values=_values_of(None))


@router.post("", name="webapp.email_template_create")
async def create_template(request: Request, session: DbSession, staff: SignedIn) -> Response:
    """Create an email template, or (the Preview button) show it filled in without saving."""
    staff.require(Role.manager)
    form = await form_fields(request)
    values = _submitted(form)
    if form.get("intent") == "preview":
        return await _form_page(request, session, staff, template=None, values=values)
    try:
        created = await email_templates.create_template(
            session, staff.principal, EmailTemplateCreate.model_validate(values)
        )
    except (ValidationError, ValidationFailed) as error:
        return await _form_page(
            request, session, staff, template=None, values=values, problem=_problem_of(error)
        )
    target = f"{created.id} ({created.name})"
    service.record(session, staff, "email_template.created", target, at=utc_now())
    return RedirectResponse(
        f"/app/settings/email-templates/{created.id}?done=saved", status_code=303
    )


@router.get("/{template_id}", name="webapp.email_template")
async def edit_template(
    request: Request,
    session: DbSession,
    staff: SignedIn,
    template_id: str,
    done: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """An email template's form with its preview."""
    staff.require(Role.manager)
    template = await email_templates.get_template(session, staff.principal, template_id)
    return await _form_page(
        request,
        session,
        staff,
        template=template,
        values=_values_of(template),
        saved=done == "saved",
    )


@router.post("/{template_id}", name="webapp.email_template_update")
async def update_template(
    request: Request, session: DbSession, staff: SignedIn, template_id: str
) -> Response:
    """Save an email template's changes, or preview them without saving."""
    staff.require(Role.manager)
    template = await email_templates.get_template(session, staff.principal, template_id)
    form = await form_fields(request)
    values = _submitted(form)
    if form.get("intent") == "preview":
        return await _form_page(request, session, staff, template=template, values=values)
    try:
        await email_templates.update_template(
            session, staff.principal, template.id, EmailTemplateUpdate.model_validate(values)
        )
    except (ValidationError, ValidationFailed) as error:
        return await _form_page(
            request, session, staff, template=template, values=values, problem=_problem_of(error)
        )
    target = f"{template.id} ({values['name']})"
    service.record(session, staff, "email_template.changed", target, at=utc_now())
    return RedirectResponse(
        f"/app/settings/email-templates/{template.id}?done=saved", status_code=303
    )


@router.post("/{template_id}/delete", name="webapp.email_template_delete")
async def delete_template(session: DbSession, staff: SignedIn, template_id: str) -> Response:
    """Delete an email template no credential template uses."""
    staff.require(Role.manager)
    template = await email_templates.get_template(session, staff.principal, template_id)
    name = template.name
    try:
        await email_templates.delete_template(session, staff.principal, template.id)
    except Conflict:
        problem = (
            f"“{name}” is the email of a credential template, so it cannot be deleted. "
            "Choose another email on that template first."
        )
        return await _list_page(session, staff, problem=problem, status=409)
    service.record(
        session, staff, "email_template.deleted", f"{template_id} ({name})", at=utc_now()
    )
    return await _list_page(session, staff, message=f"“{name}” was deleted.")
