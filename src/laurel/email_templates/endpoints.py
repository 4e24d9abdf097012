from typing import Annotated

from fastapi import Response

from laurel.email_templates import service
from laurel.email_templates.schemas import (
    EmailTemplateCreate,
    EmailTemplateRead,
    EmailTemplateUpdate,
)
from laurel.issuer_api import Api, ListResponse, PageQuery, issuer_router, json_body, list_body
from laurel.kit.body import body_docs
from laurel.kit.errors import Conflict, InvalidJson, NotFound, ValidationFailed, error_responses

router = issuer_router(
    prefix="/v1/email-templates",
    tags=["Email templates"],
)


@router.post(
    "",
    name="email_templates.create",
    response_model=EmailTemplateRead,
    openapi_extra=body_docs(EmailTemplateCreate),
    responses=error_responses(InvalidJson, ValidationFailed),
)
async def create_email_template(
    api: Api, body: Annotated[EmailTemplateCreate, json_body(EmailTemplateCreate)]
) -> object:
    """Create an email template: the subject and text of the email that sends a credential.

    Subject and body may contain attributes such as `[recipient.name]`, `[group.name]`,
    `[issuer.name]` or `[custom.mentor]`; the body is plain text, paragraphs separated by a
    blank line. The email adds the organization's logo and a button to the credential's page.
    """
    return await service.create_template(api.session, api.principal, body)


@router.get(
    "",
    name="email_templates.list",
    response_model=ListResponse[EmailTemplateRead],
    responses=error_responses(ValidationFailed),
)
async def list_email_templates(api: Api, page: PageQuery) -> object:
    """List the organization's email templates, newest first."""
    return list_body(await service.list_templates(api.session, api.principal, page))


@router.get(
    "/{template_id}",
    name="email_templates.get",
    response_model=EmailTemplateRead,
    responses=error_responses(NotFound),
)
async def get_email_template(api: Api, template_id: str) -> object:
    """Get an email template."""
    return await service.get_template(api.session, api.principal, template_id)


@router.patch(
    "/{template_id}",
    name="email_templates.update",
    response_model=EmailTemplateRead,
    openapi_extra=body_docs(EmailTemplateUpdate),
    responses=error_responses(InvalidJson, ValidationFailed, NotFound),
)
async def update_email_template(
    api: Api,
    template_id: str,
    body: Annotated[EmailTemplateUpdate, json_body(EmailTemplateUpdate)],
) -> object:
    """Update an email template; only the fields sent change."""
    return await service.update_template(api.session, api.principal, template_id, body)


@router.delete(
    "/{template_id}",
    name="email_templates.delete",
    status_code=204,
    response_class=Response,
    responses=error_responses(NotFound, Conflict),
)
async def delete_email_template(api: Api, template_id: str) -> None:
    """Delete an email template that no credential template uses."""
    await service.delete_template(api.session, api.principal, template_id)
