"""The certification types an organization can use: its own, and the standard ones."""

from typing import Annotated
from uuid import UUID

from laurel.certifications.schemas import (
    CertificationTypeCreate,
    CertificationTypeRead,
    CertificationTypeUpdate,
)
from laurel.certifications.service import certification_types
from laurel.kit.body import body_docs
from laurel.kit.errors import Conflict, InvalidJson
from laurel.kit.ids import id_of_uuid
from laurel.records_api import (
    Data,
    PageQuery,
    RecordsListResponse,
    TypesRead,
    TypesWrite,
    data_body,
    json_body,
    list_body,
    problems,
    records_router,
)

# Mounted by certifications.endpoints, which gives it the records API's prefix, tag and errors.
router = records_router()
TYPES = "/organizations/{organization_id}/certification-types"


@router.get(
    TYPES,
    name="records.types.list",
    response_model=RecordsListResponse[CertificationTypeRead],
)
async def list_types(api: TypesRead, organization_id: UUID, page: PageQuery) -> object:
    """List the certification types the organization can use: its own and the standard ones."""
    result = await certification_types.list_types(
        api.session, api.caller, id_of_uuid(organization_id), page
    )
    return list_body(result)


@router.post(
    TYPES,
    name="records.types.create",
    status_code=201,
    response_model=Data[CertificationTypeRead],
    openapi_extra=body_docs(CertificationTypeCreate),
    responses=problems(InvalidJson, Conflict),
)
async def create_type(
    api: TypesWrite,
    organization_id: UUID,
    body: Annotated[CertificationTypeCreate, json_body(CertificationTypeCreate)],
) -> object:
    """Create a certification type of the organization (admins and owners)."""
    created = await certification_types.create_type(
        api.session, api.caller, id_of_uuid(organization_id), body
    )
    return data_body(created)


@router.get(
    TYPES + "/{type_id}",
    name="records.types.get",
    response_model=Data[CertificationTypeRead],
)
async def get_type(api: TypesRead, organization_id: UUID, type_id: UUID) -> object:
    """Get a certification type."""
    found = await certification_types.get_type(
        api.session, api.caller, id_of_uuid(organization_id), id_of_uuid(type_id)
    )
    return data_body(found)


@router.patch(
    TYPES + "/{type_id}",
    name="records.types.update",
    response_model=Data[CertificationTypeRead],
    openapi_extra=body_docs(CertificationTypeUpdate),
    responses=problems(InvalidJson),
)
async def update_type(
    api: TypesWrite,
    organization_id: UUID,
    type_id: UUID,
    body: Annotated[CertificationTypeUpdate, json_body(CertificationTypeUpdate)],
) -> object:
    """Change a type's title, description or status; an archived type takes no new records."""
    updated = await certification_types.update_type(
        api.session, api.caller, id_of_uuid(organization_id), id_of_uuid(type_id), body
    )
    return data_body(updated)
