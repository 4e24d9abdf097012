from typing import Annotated
from uuid import UUID

from fastapi import Query

from laurel.certifications import type_endpoints
from laurel.certifications.schemas import (
    CertificationCreate,
    CertificationFilters,
    CertificationRead,
    CertificationRenewal,
    CertificationUpdate,
    RevokeRequest,
    VerificationCreate,
    VerificationRead,
)
from laurel.certifications.service import lifecycle, records
from laurel.certifications.validity import RecordValidity
from laurel.kit.body import body_docs
from laurel.kit.errors import DuplicateExternalId, InvalidJson, InvalidTransition
from laurel.kit.ids import id_of_uuid
from laurel.records_api import (
    Data,
    PageQuery,
    RecordsListResponse,
    RecordsRead,
    RecordsWrite,
    data_body,
    json_body,
    list_body,
    problems,
    records_router,
)

router = records_router("Records: certifications")
ORG_RECORDS = "/organizations/{organization_id}/certifications"
ONE_RECORD = ORG_RECORDS + "/{certification_id}"
Filters = Annotated[CertificationFilters, Query()]
RecordData = Data[CertificationRead]


# -- the token subject's own records (seed 004) -------------------------------------------


@router.get(
    "/certifications",
    name="records.certifications.mine",
    response_model=RecordsListResponse[CertificationRead],
)
async def list_my_certifications(
    api: RecordsRead, validity: RecordValidity, filters: Filters, page: PageQuery
) -> object:
    """List the token subject's certifications, in every organization they belong to."""
    result = await records.list_certifications(
        api.session,
        api.caller,
        filters,
        page,
        organization_id=None,
        validity=validity,
    )
    return list_body(result)


@router.post(
    "/certifications",
    name="records.certifications.create_mine",
    status_code=201,
    response_model=RecordData,
    openapi_extra=body_docs(CertificationCreate),
    responses=problems(InvalidJson, DuplicateExternalId),
)
async def create_my_certification(
    api: RecordsWrite,
    validity: RecordValidity,
    body: Annotated[CertificationCreate, json_body(CertificationCreate)],
) -> object:
    """Create certification for the token subject (or a member they manage)."""
    record = await records.create_certification(
        api.session,
        api.caller,
        body,
        organization_id=None,
        validity=validity,
    )
    return data_body(record)


@router.get(
    "/certifications/{certification_id}",
    name="records.certifications.get_mine",
    response_model=RecordData,
)
async def get_my_certification(
    api: RecordsRead, validity: RecordValidity, certification_id: UUID
) -> object:
    """Get one of the token subject's certifications."""
    record = await records.get_certification(
        api.session,
        api.caller,
        id_of_uuid(certification_id),
        None,
        validity=validity,
    )
    return data_body(record)


# -- certification types (type_endpoints.py), here to keep the routes in their order ------

router.include_router(type_endpoints.router)


# -- an organization's records ------------------------------------------------------------


@router.get(
    ORG_RECORDS,
    name="records.certifications.list",
    response_model=RecordsListResponse[CertificationRead],
)
async def list_certifications(
    api: RecordsRead,
    validity: RecordValidity,
    organization_id: UUID,
    filters: Filters,
    page: PageQuery,
) -> object:
    """List the organization's certifications (a member sees only their own)."""
    result = await records.list_certifications(
        api.session,
        api.caller,
        filters,
        page,
        organization_id=id_of_uuid(organization_id),
        validity=validity,
    )
    return list_body(result)


@router.post(
    ORG_RECORDS,
    name="records.certifications.create",
    status_code=201,
    response_model=RecordData,
    openapi_extra=body_docs(CertificationCreate),
    responses=problems(InvalidJson, DuplicateExternalId),
)
async def create_certification(
    api: RecordsWrite,
    validity: RecordValidity,
    organization_id: UUID,
    body: Annotated[CertificationCreate, json_body(CertificationCreate)],
) -> object:
    """Create a certification for a member of the organization (`organization_member_id`)."""
    record = await records.create_certification(
        api.session,
        api.caller,
        body,
        organization_id=id_of_uuid(organization_id),
        validity=validity,
    )
    return data_body(record)


@router.get(ONE_RECORD, name="records.certifications.get", response_model=RecordData)
async def get_certification(
    api: RecordsRead, validity: RecordValidity, organization_id: UUID, certification_id: UUID
) -> object:
    """Get a certification of the organization."""
    record = await records.get_certification(
        api.session,
        api.caller,
        id_of_uuid(certification_id),
        id_of_uuid(organization_id),
        validity=validity,
    )
    return data_body(record)


@router.patch(
    ONE_RECORD,
    name="records.certifications.update",
    response_model=RecordData,
    openapi_extra=body_docs(CertificationUpdate),
    responses=problems(InvalidJson, DuplicateExternalId),
)
async def update_certification(
    api: RecordsWrite,
    validity: RecordValidity,
    organization_id: UUID,
    certification_id: UUID,
    body: Annotated[CertificationUpdate, json_body(CertificationUpdate)],
) -> object:
    """Change a certification's details; statuses change only through the actions."""
    record = await records.update_certification(
        api.session,
        api.caller,
        id_of_uuid(organization_id),
        id_of_uuid(certification_id),
        body,
        validity=validity,
    )
    return data_body(record)


@router.post(
    ONE_RECORD + "/renew",
    name="records.certifications.renew",
    status_code=201,
    response_model=RecordData,
    openapi_extra=body_docs(CertificationRenewal),
    responses=problems(InvalidJson, InvalidTransition),
)
async def renew_certification(
    api: RecordsWrite,
    validity: RecordValidity,
    organization_id: UUID,
    certification_id: UUID,
    body: Annotated[CertificationRenewal, json_body(CertificationRenewal)],
) -> object:
    """Renew: a new certification supersedes this one, which becomes `superseded`."""
    record = await lifecycle.renew_certification(
        api.session,
        api.caller,
        id_of_uuid(organization_id),
        id_of_uuid(certification_id),
        body,
        validity=validity,
    )
    return data_body(record)


async def _change(
    api: RecordsWrite,
    validity: RecordValidity,
    organization_id: UUID,
    certification_id: UUID,
    action: str,
    reason: str | None,
) -> object:
    record = await lifecycle.change_lifecycle(
        api.session,
        api.caller,
        id_of_uuid(organization_id),
        id_of_uuid(certification_id),
        lifecycle.LifecycleChange(action, reason),
        validity=validity,
    )
    return data_body(record)


@router.post(
    ONE_RECORD + "/suspend",
    name="records.certifications.suspend",
    response_model=RecordData,
    responses=problems(InvalidTransition),
)
async def suspend_certification(
    api: RecordsWrite, validity: RecordValidity, organization_id: UUID, certification_id: UUID
) -> object:
    """Suspend an active certification (reinstate undoes it)."""
    return await _change(api, validity, organization_id, certification_id, "suspend", None)


@router.post(
    ONE_RECORD + "/reinstate",
    name="records.certifications.reinstate",
    response_model=RecordData,
    responses=problems(InvalidTransition),
)
async def reinstate_certification(
    api: RecordsWrite, validity: RecordValidity, organization_id: UUID, certification_id: UUID
) -> object:
    """Reinstate a suspended certification."""
    return await _change(api, validity, organization_id, certification_id, "reinstate", None)


@router.post(
    ONE_RECORD + "/revoke",
    name="records.certifications.revoke",
    response_model=RecordData,
    openapi_extra=body_docs(RevokeRequest),
    responses=problems(InvalidJson, InvalidTransition),
)
async def revoke_certification(
    api: RecordsWrite,
    validity: RecordValidity,
    organization_id: UUID,
    certification_id: UUID,
    body: Annotated[RevokeRequest, json_body(RevokeRequest)],
) -> object:
    """Revoke a certification, for good, with a reason."""
    return await _change(api, validity, organization_id, certification_id, "revoke", body.reason)


@router.post(
    ONE_RECORD + "/verifications",
    name="records.verifications.create",
    status_code=201,
    response_model=Data[VerificationRead],
    openapi_extra=body_docs(VerificationCreate),
    responses=problems(InvalidJson),
)
async def add_verification(
    api: RecordsWrite,
    organization_id: UUID,
    certification_id: UUID,
    body: Annotated[VerificationCreate, json_body(VerificationCreate)],
) -> object:
    """Record a verification of the certification (method, result); the history is kept."""
    verification = await lifecycle.add_verification(
        api.session, api.caller, id_of_uuid(organization_id), id_of_uuid(certification_id), body
    )
    return data_body(verification)


@router.get(
    ONE_RECORD + "/verifications",
    name="records.verifications.list",
    response_model=RecordsListResponse[VerificationRead],
)
async def list_verifications(
    api: RecordsRead, organization_id: UUID, certification_id: UUID, page: PageQuery
) -> object:
    """List a certification's verifications, newest first."""
    result = await lifecycle.list_verifications(
        api.session, api.caller, id_of_uuid(organization_id), id_of_uuid(certification_id), page
    )
    return list_body(result)
