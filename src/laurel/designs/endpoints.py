from typing import Annotated

from fastapi import Response

from laurel.designs import service
from laurel.designs.schemas import DesignCreate, DesignRead, DesignUpdate
from laurel.issuer_api import Api, ListResponse, PageQuery, issuer_router, json_body, list_body
from laurel.kit.body import body_docs
from laurel.kit.errors import Conflict, InvalidJson, NotFound, ValidationFailed, error_responses

router = issuer_router(
    prefix="/v1/designs",
    tags=["Designs"],
)


@router.post(
    "",
    name="designs.create",
    response_model=DesignRead,
    openapi_extra=body_docs(DesignCreate),
    responses=error_responses(InvalidJson, ValidationFailed),
)
async def create_design(
    api: Api,
    body: Annotated[DesignCreate, json_body(DesignCreate)],
) -> object:
    """Create a design: an SVG template for certificates or badges."""
    return await service.create_design(api.session, api.principal, body)


@router.get(
    "",
    name="designs.list",
    response_model=ListResponse[DesignRead],
    responses=error_responses(ValidationFailed),
)
async def list_designs(api: Api, page: PageQuery) -> object:
    """List the organization's designs, newest first."""
    return list_body(await service.list_designs(api.session, api.principal, page))


@router.get(
    "/{design_id}",
    name="designs.get",
    response_model=DesignRead,
    responses=error_responses(NotFound),
)
async def get_design(api: Api, design_id: str) -> object:
    """Get a design."""
    return await service.get_design(api.session, api.principal, design_id)


@router.patch(
    "/{design_id}",
    name="designs.update",
    response_model=DesignRead,
    openapi_extra=body_docs(DesignUpdate),
    responses=error_responses(InvalidJson, ValidationFailed, NotFound, Conflict),
)
async def update_design(
    api: Api,
    design_id: str,
    body: Annotated[DesignUpdate, json_body(DesignUpdate)],
) -> object:
    """Update a design; only the fields sent change."""
    return await service.update_design(api.session, api.principal, design_id, body)


@router.delete(
    "/{design_id}",
    name="designs.delete",
    status_code=204,
    response_class=Response,
    responses=error_responses(NotFound, Conflict),
)
async def delete_design(api: Api, design_id: str) -> None:
    """Delete a design that no credential template uses."""
    await service.delete_design(api.session, api.principal, design_id)
