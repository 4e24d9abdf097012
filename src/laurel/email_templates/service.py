"""Email templates: what the email bringing a credential says, chosen per template or per send.

Subjects and bodies may use the attributes a credential has (the built-in ones, the
organization's `custom.*` ones) and, in emails only, `[issuer.name]`. An attribute the
organization does not have is refused when the template is saved, naming `subject` or `body`.
"""

from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.attributes.placeholders import attributes_in
from laurel.attributes.repository import AttributeRepository
from laurel.attributes.schemas import BUILT_IN_ATTRIBUTES
from laurel.auth.dependencies import Principal
from laurel.email_templates.rendering import DEFAULT_TEMPLATE, EMAIL_ATTRIBUTES, EmailText
from laurel.email_templates.repository import EmailTemplateRepository
from laurel.email_templates.schemas import EmailTemplateCreate, EmailTemplateUpdate
from laurel.kit.errors import Conflict, ValidationFailed, found, found_by_id
from laurel.kit.pagination import PageParams, PageResult
from laurel.kit.updates import refuse_nulls
from laurel.models import EmailTemplate

TEMPLATE_ID_FIELD = "emailTemplateId"


async def create_template(
    session: AsyncSession, principal: Principal, data: EmailTemplateCreate
) -> EmailTemplate:
    await _check_attributes(session, principal, subject=data.subject, body=data.body)
    template = EmailTemplate(
        organization_id=principal.organization_id,
        name=data.name,
        subject=data.subject,
        body=data.body,
    )
    EmailTemplateRepository(session).add(template)
    await session.flush()
    return template


async def get_template(
    session: AsyncSession, principal: Principal, template_id: str
) -> EmailTemplate:
    repository = EmailTemplateRepository(session)
    return await found_by_id(partial(repository.get, principal.organization_id), template_id)


async def list_templates(
    session: AsyncSession, principal: Principal, params: PageParams
) -> PageResult[EmailTemplate]:
    return await EmailTemplateRepository(session).list_page(principal.organization_id, params)


async def update_template(
    session: AsyncSession, principal: Principal, template_id: str, changes: EmailTemplateUpdate
) -> EmailTemplate:
    template = await get_template(session, principal, template_id)
    refuse_nulls(changes)
    sent = changes.model_fields_set
    await _check_attributes(
        session,
        principal,
        subject=changes.subject if "subject" in sent else None,
        body=changes.body if "body" in sent else None,
    )
    for field in sent:
        setattr(template, field, getattr(changes, field))
    await session.flush()
    return template


async def delete_template(session: AsyncSession, principal: Principal, template_id: str) -> None:
    """Delete a template no credential template uses (409 otherwise: choose another there first)."""
    template = await get_template(session, principal, template_id)
    repository = EmailTemplateRepository(session)
    if await repository.is_used_by_a_group(template.id):
        raise Conflict(
            "The email template is used by a credential template; choose another one there first"
        )
    await repository.delete(template)
    await session.flush()


async def require_template(
    session: AsyncSession, organization_id: str, template_id: str, param: str = TEMPLATE_ID_FIELD
) -> EmailTemplate:
    """The organization's template named in a request body, or a 400 naming the field."""
    template = await EmailTemplateRepository(session).get(organization_id, template_id)
    if template is None:
        raise ValidationFailed(
            f"{param}: no email template with id '{template_id}' in this organization",
            param=param,
        )
    return template


async def chosen_template(
    session: AsyncSession,
    organization_id: str,
    *,
    requested_id: str | None,
    group_template_id: str | None,
) -> EmailText:
    """The email to send: the one the request names, else its credential template's, else the
    built-in one."""
    if requested_id is not None:
        template = await require_template(session, organization_id, requested_id)
    elif group_template_id is not None:
        template = found(
            await EmailTemplateRepository(session).get(organization_id, group_template_id)
        )
    else:
        return DEFAULT_TEMPLATE
    return EmailText(subject=template.subject, body=template.body)


async def _check_attributes(
    session: AsyncSession, principal: Principal, *, subject: str | None, body: str | None
) -> None:
    custom = await AttributeRepository(session).custom_defaults(principal.organization_id)
    known = BUILT_IN_ATTRIBUTES.keys() | EMAIL_ATTRIBUTES.keys() | custom.keys()
    for field, text in (("subject", subject), ("body", body)):
        for tag in attributes_in(text or ""):
            if tag not in known:
                raise ValidationFailed(
                    f"{field}: [{tag}] is not an attribute of this organization (GET "
                    "/v1/attributes lists them; [issuer.name] is the organization's name)",
                    param=field,
                )
