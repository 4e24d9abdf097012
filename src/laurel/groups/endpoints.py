from typing import Annotated

from fastapi import Response

from laurel.groups import legacy, service
from laurel.groups.schemas import GroupCreate, GroupRead, GroupUpdate
from laurel.issuer_api import Api, ListResponse, PageQuery, issuer_router, json_body, list_body
from laurel.kit.body import body_docs
from laurel.kit.errors import (
    Conflict,
    InvalidJson,
    NotFound,
    PaymentRequired,
    ValidationFailed,
    error_responses,
)

router = issuer_router(
    prefix="/v1/groups",
    tags=["Credential templates (groups)"],
)


@router.post(
    "",
    name="groups.create",
    response_model=GroupRead,
    openapi_extra=body_docs(GroupCreate),
    responses=error_responses(InvalidJson, ValidationFailed, PaymentRequired, NotFound),
)
async def create_group(
    api: Api,
    body: Annotated[GroupCreate, json_body(GroupCreate)],
) -> object:
    """Create a credential template (group) from one or more designs.

    Send `designIds`, or the deprecated `certificateDesignId` / `badgeDesignId`, not both.
    A free organization may attach one certificate design and one badge design.
    """
    return await service.create_group(
        api.session,
        api.principal,
        name=body.name,
        designs=legacy.design_choices_for_create(body),
        learning_event_url=body.learning_event_url,
        email_template_id=body.email_template_id,
    )


@router.get(
    "",
    name="groups.list",
    response_model=ListResponse[GroupRead],
    responses=error_responses(ValidationFailed),
)
async def list_groups(api: Api, page: PageQuery) -> object:
    """List the organization's credential templates, newest first."""
    return list_body(await service.list_groups(api.session, api.principal, page))


@router.get(
    "/{group_id}",
    name="groups.get",
    response_model=GroupRead,
    responses=error_responses(NotFound),
)
async def get_group(api: Api, group_id: str) -> object:
    """Get a credential template."""
    return await service.get_group(api.session, api.principal, group_id)


@router.patch(
    "/{group_id}",
    name="groups.update",
    response_model=GroupRead,
    openapi_extra=body_docs(GroupUpdate),
    responses=error_responses(InvalidJson, ValidationFailed, PaymentRequired, NotFound),
)
async def update_group(
    api: Api,
    group_id: str,
    body: Annotated[GroupUpdate, json_body(GroupUpdate)],
) -> object:
    """Update a credential template; fields not sent are left unchanged.

    `designIds` replaces the whole ordered list; `learningEventUrl: null` clears the URL;
    `emailTemplateId: null` goes back to the built-in email.
    """
    group = await service.get_group(api.session, api.principal, group_id)
    return await service.update_group(
        api.session,
        api.principal,
        group,
        changes=body.model_dump(
            include={"name", "learning_event_url", "email_template_id"},
            exclude_unset=True,
            by_alias=False,
        ),
        designs=legacy.design_choices_for_update(group, body),
    )


@router.delete(
    "/{group_id}",
    name="groups.delete",
    status_code=204,
    response_class=Response,
    responses=error_responses(NotFound, Conflict),
)
async def delete_group(api: Api, group_id: str) -> None:
    """Delete a credential template that has no credentials."""
    await service.delete_group(api.session, api.principal, group_id)
