"""Attributes (`/v1/attributes`): what designs, emails and credentials may name in brackets."""

from typing import Annotated

from laurel.attributes import service
from laurel.attributes.schemas import AttributeCreate, AttributeRead
from laurel.issuer_api import Api, issuer_router, json_body
from laurel.kit.body import body_docs
from laurel.kit.errors import Conflict, InvalidJson, ValidationFailed, error_responses

# One tag for both (credentials/interaction_endpoints.py): the documentation groups them as
# Certifier's does.
router = issuer_router(
    tags=["Attributes and interactions"],
)


@router.get("/v1/attributes", name="attributes.list", response_model=list[AttributeRead])
async def list_attributes(api: Api) -> object:
    """List the attributes designs and credentials can use: built-in, then custom."""
    return await service.list_attributes(api.session, api.principal)


@router.post(
    "/v1/attributes",
    name="attributes.create",
    response_model=AttributeRead,
    openapi_extra=body_docs(AttributeCreate),
    responses=error_responses(InvalidJson, ValidationFailed, Conflict),
)
async def create_attribute(
    api: Api, body: Annotated[AttributeCreate, json_body(AttributeCreate)]
) -> object:
    """Define a custom attribute for the organization's credentials."""
    return await service.create_attribute(
        api.session, api.principal, body.tag, body.name, body.default_value
    )
