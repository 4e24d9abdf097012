from typing import Annotated

from fastapi import APIRouter, Response

from laurel.auth.dependencies import Api
from laurel.designs import service
from laurel.designs.schemas import DesignCreate, DesignRead, DesignUpdate
from laurel.kit.body import body_docs, json_body
from laurel.kit.errors import (
    COMMON_API_ERRORS,
    Conflict,
    InvalidJson,
    NotFound,
    ValidationFailed,
    error_responses,
)
from laurel.kit.pagination import ListResponse, PageQuery, list_body
from laurel.kit.versioning import VersionedRoute

router = APIRouter(
    prefix="/v1/designs",
    tags=["Designs"],
    route_class=VersionedRoute,
    responses=error_responses(*COMMON_API_ERRORS),
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
