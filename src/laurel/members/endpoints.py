from typing import Annotated
from uuid import UUID

from fastapi import Response

from laurel.kit.body import body_docs
from laurel.kit.errors import Conflict, InvalidJson
from laurel.kit.ids import id_of_uuid
from laurel.members import service
from laurel.members.schemas import (
    Me,
    MemberCreate,
    MemberRead,
    MemberUpdate,
    OrganizationRead,
    OrganizationUpdate,
)
from laurel.records_api import (
    Data,
    Identity,
    MembersRead,
    MembersWrite,
    OrganizationsRead,
    OrganizationsWrite,
    PageQuery,
    RecordsListResponse,
    data_body,
    json_body,
    list_body,
    problems,
    records_router,
)

router = records_router("Records: organizations and members")
MEMBERS = "/organizations/{organization_id}/organization-members"


@router.get("/me", name="records.me", response_model=Data[Me])
async def get_me(api: Identity) -> object:
    """Who the token acts for: the user, granted scopes, organizations and reachable members."""
    return data_body(await service.describe_me(api.session, api.caller))


@router.get(
    "/organizations",
    name="records.organizations.list",
    response_model=RecordsListResponse[OrganizationRead],
)
async def list_organizations(api: OrganizationsRead, page: PageQuery) -> object:
    """List the organizations the user belongs to."""
    return list_body(await service.list_organizations(api.session, api.caller, page))


@router.get(
    "/organizations/{organization_id}",
    name="records.organizations.get",
    response_model=Data[OrganizationRead],
)
async def get_organization(api: OrganizationsRead, organization_id: UUID) -> object:
    """Get one of the user's organizations."""
    organization = await service.get_organization(
        api.session, api.caller, id_of_uuid(organization_id)
    )
    return data_body(organization)


@router.patch(
    "/organizations/{organization_id}",
    name="records.organizations.update",
    response_model=Data[OrganizationRead],
    openapi_extra=body_docs(OrganizationUpdate),
    responses=problems(InvalidJson),
)
async def update_organization(
    api: OrganizationsWrite,
    organization_id: UUID,
    body: Annotated[OrganizationUpdate, json_body(OrganizationUpdate)],
) -> object:
    """Rename an organization (admins and owners)."""
    organization = await service.rename_organization(
        api.session, api.caller, id_of_uuid(organization_id), body.name
    )
    return data_body(organization)


@router.get(MEMBERS, name="records.members.list", response_model=RecordsListResponse[MemberRead])
async def list_members(api: MembersRead, organization_id: UUID, page: PageQuery) -> object:
    """List the organization's members (a member sees only themself)."""
    result = await service.list_members(api.session, api.caller, id_of_uuid(organization_id), page)
    return list_body(result)


@router.post(
    MEMBERS,
    name="records.members.create",
    status_code=201,
    response_model=Data[MemberRead],
    openapi_extra=body_docs(MemberCreate),
    responses=problems(InvalidJson, Conflict),
)
async def add_member(
    api: MembersWrite,
    organization_id: UUID,
    body: Annotated[MemberCreate, json_body(MemberCreate)],
) -> object:
    """Add a person to the organization by email (admins and owners)."""
    member = await service.add_member(api.session, api.caller, id_of_uuid(organization_id), body)
    return data_body(member)


@router.get(MEMBERS + "/{member_id}", name="records.members.get", response_model=Data[MemberRead])
async def get_member(api: MembersRead, organization_id: UUID, member_id: UUID) -> object:
    """Get one organization member."""
    member = await service.get_member(
        api.session, api.caller, id_of_uuid(organization_id), id_of_uuid(member_id)
    )
    return data_body(member)


@router.patch(
    MEMBERS + "/{member_id}",
    name="records.members.update",
    response_model=Data[MemberRead],
    openapi_extra=body_docs(MemberUpdate),
    responses=problems(InvalidJson, Conflict),
)
async def update_member(
    api: MembersWrite,
    organization_id: UUID,
    member_id: UUID,
    body: Annotated[MemberUpdate, json_body(MemberUpdate)],
) -> object:
    """Change a member's role, status or primary flag (admins and owners).

    Only an owner grants, changes or removes the owner role; the last active owner stays one.
    """
    member = await service.update_member(
        api.session, api.caller, id_of_uuid(organization_id), id_of_uuid(member_id), body
    )
    return data_body(member)


@router.delete(
    MEMBERS + "/{member_id}",
    name="records.members.remove",
    status_code=204,
    responses=problems(Conflict),
)
async def remove_member(api: MembersWrite, organization_id: UUID, member_id: UUID) -> Response:
    """Remove a member from the organization; their records are kept."""
    await service.remove_member(
        api.session, api.caller, id_of_uuid(organization_id), id_of_uuid(member_id)
    )
    return Response(status_code=204)
