"""Settings → organization (name, issuer profile, identity and keys; owners and admins) and
Settings → plan (every role reads it). Every rule is the organizations and issuers services',
as `/v1/issuer` calls them; a refused field is shown beside it."""

from datetime import date
from typing import Annotated, Any, get_args

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from laurel.credentials.service import today
from laurel.db import DbSession
from laurel.groups.schemas import MAX_DESIGNS_PER_GROUP
from laurel.groups.service import FREE_PLAN_DESIGNS_PER_TYPE
from laurel.issuers import service as issuers
from laurel.issuers.schemas import Cryptosuite, DidMethod, IssuerUpdate
from laurel.kit.body import validation_failed
from laurel.kit.errors import ValidationFailed
from laurel.kit.timestamps import utc_now
from laurel.links import PublicLinks
from laurel.models import Role
from laurel.organizations import service as organizations
from laurel.webapp import service
from laurel.webapp.plan_usage import UsageReads
from laurel.webapp.rendering import render
from laurel.webapp.routing import SignedIn, WebAppRoute, form_fields, settings_of
from laurel.webapp.service import Staff

router = APIRouter(prefix="/app/settings", route_class=WebAppRoute)

PROFILE_FIELDS = ("url", "email", "image", "description")
CRYPTOSUITES: tuple[str, ...] = get_args(Cryptosuite)
DID_METHODS: tuple[str, ...] = get_args(DidMethod)
# The API's names of the fields (its 400s' `param`) and the form's.
_FORM_FIELD = {"didMethod": "did_method"}
ROTATION_CONFIRMATION = "rotate"
DONE = {
    "profile": "The profile is saved; new credentials show it.",
    "signing": "Saved: new credentials are signed this way.",
    "rotated": "A new key signs from now on; credentials signed before keep verifying.",
}
DoneQuery = Annotated[str, Query(max_length=20)]


async def _organization_page(
    request: Request,
    session: DbSession,
    staff: Staff,
    *,
    errors: dict[str, str] | None = None,
    entered: dict[str, str] | None = None,
    done: str = "",
    status: int = 200,
) -> Response:
    settings = settings_of(request)
    issuer = await issuers.profile(session, settings, staff.organization_id)
    links = PublicLinks.of(settings)
    current = {
        "name": issuer["name"],
        **{field: issuer[field] or "" for field in PROFILE_FIELDS},
        "cryptosuite": issuer["cryptosuite"],
        "did_method": issuer["didMethod"],
    }
    context = {
        "staff": staff,
        "active": "organization",
        "Role": Role,
        "issuer": issuer,
        "entered": {**current, **(entered or {})},
        "errors": errors or {},
        "done": DONE.get(done, ""),
        "did_document_url": links.did_document(staff.organization_id),
        "key_urls": {
            key["id"]: links.issuer_key(staff.organization_id, key["id"]) for key in issuer["keys"]
        },
        "cryptosuites": CRYPTOSUITES,
        "did_methods": DID_METHODS,
        "confirmation": ROTATION_CONFIRMATION,
    }
    return render("organization.html", context, status_code=status)


def _issuer_changes(form: dict[str, str], fields: tuple[str, ...]) -> IssuerUpdate:
    """The form's fields as the API's request; an emptied field clears it (`null`)."""
    values: dict[str, Any] = {
        "didMethod" if field == "did_method" else field: form.get(field, "").strip() or None
        for field in fields
    }
    try:
        return IssuerUpdate.model_validate(values)
    except ValidationError as error:
        raise validation_failed(error) from None


def _field_error(error: ValidationFailed, default: str) -> dict[str, str]:
    field = _FORM_FIELD.get(error.param or "", error.param or default)
    return {field: error.message}


@router.get("/organization", name="webapp.organization")
async def organization(
    request: Request, session: DbSession, staff: SignedIn, done: DoneQuery = ""
) -> Response:
    """The organization's name, issuer profile, identity (DID) and keys."""
    staff.require(Role.admin)
    return await _organization_page(request, session, staff, done=done)


@router.post("/organization", name="webapp.organization_update")
async def update_organization(request: Request, session: DbSession, staff: SignedIn) -> Response:
    """The name and the issuer profile new credentials show."""
    staff.require(Role.admin)
    form = await form_fields(request)
    entered = {field: form.get(field, "") for field in ("name", *PROFILE_FIELDS)}
    settings = settings_of(request)
    try:
        # Both checked before either is written: a refused field writes nothing.
        changes = _issuer_changes(form, PROFILE_FIELDS)
        current = await issuers.profile(session, settings, staff.organization_id)
        if form.get("name", "").strip() != current["name"]:
            renamed = await organizations.rename_organization(
                session, staff.organization_id, form.get("name", "")
            )
            service.record(session, staff, "organization.changed", renamed.name, at=utc_now())
    except ValidationFailed as error:
        errors = _field_error(error, "name")
        return await _organization_page(
            request, session, staff, errors=errors, entered=entered, status=400
        )
    changed = [field for field in PROFILE_FIELDS if getattr(changes, field) != current[field]]
    if changed:
        await issuers.update_profile(session, settings, staff.organization_id, changes)
        service.record(session, staff, "issuer.changed", ", ".join(changed), at=utc_now())
    return RedirectResponse("/app/settings/organization?done=profile", status_code=303)


@router.post("/organization/signing", name="webapp.organization_signing")
async def update_signing(request: Request, session: DbSession, staff: SignedIn) -> Response:
    """The cryptosuite and DID method new credentials are signed with."""
    staff.require(Role.admin)
    form = await form_fields(request)
    entered = {field: form.get(field, "") for field in ("cryptosuite", "did_method")}
    try:
        changes = _issuer_changes(form, ("cryptosuite", "did_method"))
        await issuers.update_profile(session, settings_of(request), staff.organization_id, changes)
    except ValidationFailed as error:
        errors = _field_error(error, "cryptosuite")
        return await _organization_page(
            request, session, staff, errors=errors, entered=entered, status=400
        )
    target = f"cryptosuite {changes.cryptosuite}, did:{changes.did_method}"
    service.record(session, staff, "issuer.changed", target, at=utc_now())
    return RedirectResponse("/app/settings/organization?done=signing", status_code=303)


@router.post("/organization/rotate-key", name="webapp.organization_rotate_key")
async def rotate_key(request: Request, session: DbSession, staff: SignedIn) -> Response:
    """A new signing key, once the confirmation word is typed; the old keys are retired, and stay
    in the DID document so that earlier credentials keep verifying."""
    staff.require(Role.admin)
    form = await form_fields(request)
    if form.get("confirm", "").strip().lower() != ROTATION_CONFIRMATION:
        errors = {"confirm": f'Type "{ROTATION_CONFIRMATION}" to confirm'}
        return await _organization_page(request, session, staff, errors=errors, status=400)
    key_id = await issuers.rotate_key(session, settings_of(request), staff.organization_id)
    service.record(session, staff, "issuer.key_rotated", key_id, at=utc_now())
    return RedirectResponse("/app/settings/organization?done=rotated", status_code=303)


def _month(day: date) -> tuple[date, date]:
    start = day.replace(day=1)
    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start, following


@router.get("/plan", name="webapp.plan")
async def plan(request: Request, session: DbSession, staff: SignedIn) -> Response:
    """The organization's plan, what it allows, and what the organization uses."""
    settings = settings_of(request)
    month = _month(today())
    context = {
        "staff": staff,
        "active": "plan",
        "Role": Role,
        "plan": staff.plan,
        "usage": await UsageReads(session).usage(staff.organization_id, month),
        "month": month[0],
        "rate_limit": settings.rate_limit,
        "sign_in_rate_limit": settings.sign_in_rate_limit,
        "free_designs_per_type": FREE_PLAN_DESIGNS_PER_TYPE,
        "max_designs": MAX_DESIGNS_PER_GROUP,
    }
    return render("plan.html", context)
