"""Credential templates in the web app: list, create, edit, delete, and the organization's custom
attributes. Managers and up; every rule is the groups and attributes services' own.

The form also sets Laurel's own fields of a template, which Certifier's API has no place for:
the Open Badges achievement's description and criteria, and the expiry rule of its credentials.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from laurel.attributes import service as attributes
from laurel.db import DbSession
from laurel.designs.repository import DesignRepository
from laurel.email_templates import service as email_templates
from laurel.groups import legacy
from laurel.groups import service as groups
from laurel.groups.expiry import ExpiryRule, ExpiryUnit
from laurel.groups.schemas import (
    MAX_CRITERIA,
    MAX_DESCRIPTION,
    MAX_DESIGNS_PER_GROUP,
    GroupCreate,
    GroupUpdate,
    GroupView,
    TemplateExtensions,
)
from laurel.kit.errors import Conflict, ValidationFailed
from laurel.kit.pagination import PageParams
from laurel.kit.timestamps import utc_now
from laurel.models import Role
from laurel.webapp import service
from laurel.webapp.rendering import render
from laurel.webapp.routing import SignedIn, WebAppRoute, form_fields
from laurel.webapp.service import Staff

router = APIRouter(prefix="/app/templates", route_class=WebAppRoute)
# The pages list at most this many templates, designs and email templates; an organization with
# more uses the API's paged lists.
LISTED = 100
NO_DESIGN = "designs: choose at least one design"
_FORM_FIELD_OF = {
    "designIds": "designs",
    "learningEventUrl": "learning_event_url",
    "emailTemplateId": "email_template",
    "expiryAmount": "expiry_amount",
}
EXPIRY_AMOUNT_NEEDED = "expiry_amount: a whole number of days, months or years (1 or more)"


def _page(staff: Staff, template: str, status: int = 200, **context: Any) -> Response:
    return render(
        template,
        {"staff": staff, "active": "templates", "Role": Role, **context},
        status_code=status,
    )


async def _list_page(
    session: Any, staff: Staff, *, message: str = "", problem: str = "", status: int = 200
) -> Response:
    listed = await groups.list_groups(session, staff.principal, PageParams(LISTED, None))
    email_names = await _email_template_names(session, staff)
    return _page(
        staff,
        "templates.html",
        status,
        templates=listed.rows,
        email_names=dict(email_names),
        attributes=await attributes.list_attributes(session, staff.principal),
        message=message,
        problem=problem,
    )


async def _email_template_names(session: Any, staff: Staff) -> list[tuple[str, str]]:
    listed = await email_templates.list_templates(
        session, staff.principal, PageParams(LISTED, None)
    )
    return [(row.id, row.name) for row in listed.rows]


async def _form_page(
    session: Any,
    staff: Staff,
    *,
    group: GroupView | None,
    values: dict[str, Any],
    problem: str = "",
    saved: bool = False,
) -> Response:
    designs = await DesignRepository(session).list_page(
        staff.organization_id, PageParams(LISTED, None)
    )
    chosen: list[str] = values["design_ids"]
    return _page(
        staff,
        "template_form.html",
        400 if problem else 200,
        group=group,
        values=values,
        problem=problem,
        saved=saved,
        # The form field the problem is about, marked and described at the field.
        problem_field=problem.split(":", 1)[0] if problem else "",
        expiry_units=[unit.value for unit in ExpiryUnit],
        max_description=MAX_DESCRIPTION,
        max_criteria=MAX_CRITERIA,
        designs=[(design.id, design.name, design.type) for design in designs.rows],
        # One more place than is filled, so a design can be added without JavaScript.
        design_places=min(MAX_DESIGNS_PER_GROUP, max(3, len(chosen) + 1)),
        email_templates=await _email_template_names(session, staff),
    )


def _values_of(group: GroupView | None) -> dict[str, Any]:
    if group is None:
        return {
            "name": "",
            "design_ids": [],
            "learning_event_url": "",
            "email_template": "",
            "description": "",
            "criteria": "",
            "expiry_amount": "",
            "expiry_unit": "",
        }
    extensions, expiry = group.extensions, group.extensions.expiry
    return {
        "name": group.name,
        "design_ids": [design_id for design_id, _ in group.designs],
        "learning_event_url": group.learning_event_url or "",
        "email_template": group.email_template_id or "",
        "description": extensions.description or "",
        "criteria": extensions.criteria or "",
        "expiry_amount": str(expiry.amount) if expiry else "",
        "expiry_unit": expiry.unit.value if expiry else "",
    }


def _submitted(form: dict[str, str]) -> dict[str, Any]:
    places = range(1, MAX_DESIGNS_PER_GROUP + 1)
    return {
        "name": form.get("name", ""),
        "design_ids": [form[f"design_{n}"] for n in places if form.get(f"design_{n}")],
        "learning_event_url": form.get("learning_event_url", "").strip(),
        "email_template": form.get("email_template", ""),
        "description": form.get("description", ""),
        "criteria": form.get("criteria", ""),
        "expiry_amount": form.get("expiry_amount", "").strip(),
        "expiry_unit": form.get("expiry_unit", ""),
    }


def _extensions(values: dict[str, Any]) -> TemplateExtensions:
    """The form's Laurel-only fields; an expiry unit of "" is "never" (the amount is ignored)."""
    expiry = None
    if values["expiry_unit"]:
        try:
            unit = ExpiryUnit(values["expiry_unit"])
        except ValueError:
            raise ValidationFailed(
                "expiry_unit: never, days, months or years", param="expiry_unit"
            ) from None
        amount = values["expiry_amount"]
        if not amount.isdecimal() or len(amount) > 6:
            raise ValidationFailed(EXPIRY_AMOUNT_NEEDED, param="expiryAmount")
        expiry = ExpiryRule(int(amount), unit)
    # Checked before the template is written: a bad field must not leave half a template.
    return groups.check_extensions(
        TemplateExtensions(values["description"], values["criteria"], expiry)
    )


def _body(values: dict[str, Any]) -> dict[str, Any]:
    """The API's request body for the form's values: blanks clear the optional fields."""
    return {
        "name": values["name"],
        "designIds": values["design_ids"],
        "learningEventUrl": values["learning_event_url"] or None,
        "emailTemplateId": values["email_template"] or None,
    }


def _problem_of(error: ValidationError | ValidationFailed) -> str:
    if isinstance(error, ValidationFailed):
        field = _FORM_FIELD_OF.get(error.param or "", error.param or "")
        message = error.message.split(": ", 1)[-1]
        return f"{field}: {message}" if field else error.message
    first = error.errors()[0]
    location = ".".join(str(part) for part in first["loc"])
    return f"{_FORM_FIELD_OF.get(location, location)}: {first['msg']}"


@router.get("", name="webapp.templates")
async def template_list(session: DbSession, staff: SignedIn) -> Response:
    """The organization's credential templates and custom attributes."""
    staff.require(Role.manager)
    return await _list_page(session, staff)


@router.get("/new", name="webapp.template_new")
async def new_template(session: DbSession, staff: SignedIn) -> Response:
    staff.require(Role.manager)
    return await _form_page(session, staff, group=None, values=_values_of(None))


@router.post("", name="webapp.template_create")
async def create_template(request: Request, session: DbSession, staff: SignedIn) -> Response:
    """Create a credential template from the form."""
    staff.require(Role.manager)
    values = _submitted(await form_fields(request))
    if not values["design_ids"]:
        return await _form_page(session, staff, group=None, values=values, problem=NO_DESIGN)
    try:
        body = GroupCreate.model_validate(_body(values))
        extensions = _extensions(values)
        created = await groups.create_group(
            session,
            staff.principal,
            name=body.name,
            designs=legacy.design_choices_for_create(body),
            learning_event_url=body.learning_event_url,
            email_template_id=body.email_template_id,
        )
        await groups.set_extensions(session, staff.principal, created, extensions)
    except (ValidationError, ValidationFailed) as error:
        return await _form_page(
            session, staff, group=None, values=values, problem=_problem_of(error)
        )
    service.record(
        session, staff, "template.created", f"{created.id} ({created.name})", at=utc_now()
    )
    return RedirectResponse(f"/app/templates/{created.id}?done=saved", status_code=303)


# Before /{group_id}, which would take "attributes" as a template id.
@router.post("/attributes", name="webapp.attribute_create")
async def create_attribute(request: Request, session: DbSession, staff: SignedIn) -> Response:
    """Add a custom attribute (custom.<name>) the organization's designs and emails can show."""
    staff.require(Role.manager)
    form = await form_fields(request)
    tag, name = form.get("tag", "").strip(), form.get("attribute_name", "").strip()
    default = form.get("default_value", "").strip() or None
    if not name or len(name) > 255:
        return await _list_page(
            session, staff, problem="attribute_name: 1 to 255 characters", status=400
        )
    if not tag or len(tag) > 70 or (default is not None and len(default) > 1000):
        problem = "tag: 1 to 70 characters (default value: at most 1000)"
        return await _list_page(session, staff, problem=problem, status=400)
    try:
        created = await attributes.create_attribute(session, staff.principal, tag, name, default)
    except ValidationFailed as error:
        return await _list_page(session, staff, problem=error.message, status=400)
    except Conflict as error:
        return await _list_page(session, staff, problem=error.message, status=409)
    service.record(session, staff, "attribute.created", str(created["tag"]), at=utc_now())
    return await _list_page(session, staff, message=f"{created['tag']} was added.")


@router.get("/{group_id}", name="webapp.template")
async def edit_template(
    session: DbSession,
    staff: SignedIn,
    group_id: str,
    done: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """A credential template's form, filled in."""
    staff.require(Role.manager)
    group = await groups.get_group(session, staff.principal, group_id)
    return await _form_page(
        session, staff, group=group, values=_values_of(group), saved=done == "saved"
    )


@router.post("/{group_id}", name="webapp.template_update")
async def update_template(
    request: Request, session: DbSession, staff: SignedIn, group_id: str
) -> Response:
    """Save a credential template's changes."""
    staff.require(Role.manager)
    group = await groups.get_group(session, staff.principal, group_id)
    values = _submitted(await form_fields(request))
    if not values["design_ids"]:
        return await _form_page(session, staff, group=group, values=values, problem=NO_DESIGN)
    try:
        body = GroupUpdate.model_validate(_body(values))
        extensions = _extensions(values)
        await groups.update_group(
            session,
            staff.principal,
            group,
            changes=body.model_dump(
                include={"name", "learning_event_url", "email_template_id"},
                exclude_unset=True,
                by_alias=False,
            ),
            designs=legacy.design_choices_for_update(group, body),
        )
        await groups.set_extensions(session, staff.principal, group, extensions)
    except (ValidationError, ValidationFailed) as error:
        return await _form_page(
            session, staff, group=group, values=values, problem=_problem_of(error)
        )
    service.record(
        session, staff, "template.changed", f"{group.id} ({values['name']})", at=utc_now()
    )
    return RedirectResponse(f"/app/templates/{group.id}?done=saved", status_code=303)


@router.post("/{group_id}/delete", name="webapp.template_delete")
async def delete_template(session: DbSession, staff: SignedIn, group_id: str) -> Response:
    """Delete a credential template that has no credentials."""
    staff.require(Role.manager)
    group = await groups.get_group(session, staff.principal, group_id)
    try:
        await groups.delete_group(session, staff.principal, group.id)
    except Conflict:
        problem = (
            f"“{group.name}” has credentials, so it cannot be deleted. "
            "Its credentials keep pointing at it; leave it, or rename it."
        )
        return await _list_page(session, staff, problem=problem, status=409)
    service.record(session, staff, "template.deleted", f"{group.id} ({group.name})", at=utc_now())
    return await _list_page(session, staff, message=f"“{group.name}” was deleted.")
