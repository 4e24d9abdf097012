"""Credential interactions (`/v1/credential-interactions`): what recipients and visitors did."""

from typing import Annotated, Literal

from fastapi import Query

from laurel.credentials import service
from laurel.issuer_api import (
    Api,
    CamelModel,
    ListResponse,
    PageQuery,
    issuer_router,
    json_body,
    list_body,
)
from laurel.kit.body import body_docs
from laurel.kit.errors import InvalidJson, NotFound, ValidationFailed, error_responses
from laurel.kit.fields import ResourceId, ZonedTimestamp
from laurel.kit.timestamps import Timestamp, utc_now

router = issuer_router(
    tags=["Attributes and interactions"],
)

EventType = Literal[
    "credential_viewed",
    "credential_downloaded",
    "credential_verified",
    "credential_link_copied",
    "credential_shared_to_linkedin",
    "credential_added_to_linkedin_profile",
    "credential_shared_to_facebook",
    "credential_shared_to_twitter",
    "credential_shared_to_messenger",
    "credential_shared_to_whatsapp",
    "credential_shared_to_pinterest",
    "credential_shared_to_telegram",
    "credential_shared_to_weibo",
]


class InteractionCreate(CamelModel):
    credential_id: ResourceId
    event_type: EventType
    triggered_by: Literal["recipient", "guest"] = "guest"
    triggered_at: ZonedTimestamp | None = None


class InteractionRead(CamelModel):
    id: str
    credential_id: str
    event_type: str
    triggered_by: str
    triggered_at: Timestamp


@router.get(
    "/v1/credential-interactions",
    name="interactions.list",
    response_model=ListResponse[InteractionRead],
    responses=error_responses(ValidationFailed),
)
async def list_interactions(
    api: Api,
    page: PageQuery,
    credential_id: Annotated[str | None, Query(alias="credentialId", max_length=26)] = None,
) -> object:
    """List what recipients and visitors did with credentials, newest first."""
    return list_body(
        await service.list_interactions(api.session, api.principal, credential_id, page)
    )


@router.post(
    "/v1/credential-interactions",
    name="interactions.create",
    response_model=InteractionRead,
    openapi_extra=body_docs(InteractionCreate),
    responses=error_responses(InvalidJson, ValidationFailed, NotFound),
)
async def create_interaction(
    api: Api, body: Annotated[InteractionCreate, json_body(InteractionCreate)]
) -> object:
    """Record an interaction with a credential."""
    return await service.record_interaction(
        api.session,
        api.principal,
        {
            "credential_id": body.credential_id,
            "event_type": body.event_type,
            "triggered_by": body.triggered_by,
            "triggered_at": body.triggered_at or utc_now(),
        },
    )
