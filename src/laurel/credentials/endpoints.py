from typing import Annotated, Any

from fastapi import Response

from laurel.credentials.delivery import DELIVERY_HEADER, SKIPPED_NO_EMAIL
from laurel.credentials.schemas import (
    CreateIssueSendRequest,
    CredentialCreate,
    CredentialRead,
    CredentialUpdate,
    ScheduleRequest,
    SearchRequest,
    SendRequest,
)
from laurel.credentials.service import Credentials
from laurel.issuer_api import Api, ListResponse, PageQuery, issuer_router, json_body, list_body
from laurel.kit.body import body_docs
from laurel.kit.errors import (
    Conflict,
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    InvalidJson,
    NotFound,
    ValidationFailed,
    error_responses,
)

# Credentials own this path. What is built on a credential declares its routes under it in its
# own package, a floor above: its signed form and revocation in vc/, its files (PDF, PNG,
# designs, the baked badge) in rendering/.
CREDENTIALS_PATH = "/v1/credentials"
router = issuer_router(
    prefix=CREDENTIALS_PATH,
    tags=["Credentials"],
)
WRITE_ERRORS = error_responses(
    InvalidJson, ValidationFailed, NotFound, Conflict, IdempotencyKeyReused, IdempotencyKeyInUse
)
IDEMPOTENCY_DOCS = (
    "Send an `Idempotency-Key` header to make retries safe: the first response is replayed."
)


def _credentials(api: Any) -> Credentials:
    return Credentials(api.session, api.principal, api.settings)


@router.post(
    "",
    name="credentials.create",
    response_model=CredentialRead,
    openapi_extra=body_docs(CredentialCreate),
    responses=WRITE_ERRORS,
    description=IDEMPOTENCY_DOCS,
)
async def create_credential(
    api: Api, body: Annotated[CredentialCreate, json_body(CredentialCreate)]
) -> object:
    """Create a draft credential from a credential template."""
    return await _credentials(api).create(body)


@router.post(
    "/create-issue-send",
    name="credentials.create_issue_send",
    response_model=CredentialRead,
    openapi_extra=body_docs(CreateIssueSendRequest),
    responses={
        200: {
            "description": "The credential, issued (and emailed when it has a recipient email).",
            "headers": {
                DELIVERY_HEADER: {
                    "description": f"`{SKIPPED_NO_EMAIL}` when the recipient has no email: "
                    "the credential is issued and no email is sent.",
                    "schema": {"type": "string"},
                }
            },
        },
        **WRITE_ERRORS,
    },
    description=IDEMPOTENCY_DOCS,
)
async def create_issue_send(
    api: Api,
    body: Annotated[CreateIssueSendRequest, json_body(CreateIssueSendRequest)],
    response: Response,
) -> object:
    """Create, issue and email a credential in one call (a recipient with no email: no email).

    `emailTemplateId` chooses the email; by default the credential template's, else the
    built-in one.
    """
    outcome = await _credentials(api).create_issue_send(body)
    if not outcome.emailed:
        response.headers[DELIVERY_HEADER] = SKIPPED_NO_EMAIL
    return outcome.credential


@router.post(
    "/search",
    name="credentials.search",
    response_model=ListResponse[CredentialRead],
    openapi_extra=body_docs(SearchRequest),
    responses=error_responses(InvalidJson, ValidationFailed),
)
async def search_credentials(
    api: Api, body: Annotated[SearchRequest, json_body(SearchRequest)]
) -> object:
    """Find credentials with a filter of AND/OR/NOT conditions, sorted."""
    found, next_cursor = await _credentials(api).search(body)
    return {"data": found, "pagination": {"prev": None, "next": next_cursor}}


@router.get(
    "",
    name="credentials.list",
    response_model=ListResponse[CredentialRead],
    responses=error_responses(ValidationFailed),
)
async def list_credentials(api: Api, page: PageQuery) -> object:
    """List the organization's credentials, newest first."""
    return list_body(await _credentials(api).list_page(page))


@router.get(
    "/{credential_id}",
    name="credentials.get",
    response_model=CredentialRead,
    responses=error_responses(NotFound),
)
async def get_credential(api: Api, credential_id: str) -> object:
    """Get a credential."""
    return await _credentials(api).get(credential_id)


@router.patch(
    "/{credential_id}",
    name="credentials.update",
    response_model=CredentialRead,
    openapi_extra=body_docs(CredentialUpdate),
    responses=error_responses(InvalidJson, ValidationFailed, NotFound),
)
async def update_credential(
    api: Api, credential_id: str, body: Annotated[CredentialUpdate, json_body(CredentialUpdate)]
) -> object:
    """Update a credential; only the fields sent change (`expiryDate: null` clears it)."""
    return await _credentials(api).update(credential_id, body)


@router.delete(
    "/{credential_id}",
    name="credentials.delete",
    status_code=204,
    response_class=Response,
    responses=error_responses(NotFound),
)
async def delete_credential(api: Api, credential_id: str) -> None:
    """Delete a credential."""
    await _credentials(api).delete(credential_id)


@router.post(
    "/{credential_id}/issue",
    name="credentials.issue",
    response_model=CredentialRead,
    responses=error_responses(NotFound, Conflict, IdempotencyKeyReused, IdempotencyKeyInUse),
    description=IDEMPOTENCY_DOCS,
)
async def issue_credential(api: Api, credential_id: str) -> object:
    """Issue a draft credential (scheduled until its issue date when that is in the future)."""
    return await _credentials(api).issue(credential_id)


@router.post(
    "/{credential_id}/send",
    name="credentials.send",
    response_model=CredentialRead,
    openapi_extra=body_docs(SendRequest, required=False),
    responses=WRITE_ERRORS,
    description=IDEMPOTENCY_DOCS,
)
async def send_credential(
    api: Api,
    credential_id: str,
    body: Annotated[SendRequest, json_body(SendRequest, required=False)],
) -> object:
    """Email an issued credential to its recipient (`{"deliveryMethod": "email"}`).

    `emailTemplateId` chooses the email; by default the credential template's, else the
    built-in one.
    """
    return await _credentials(api).send(credential_id, body.email_template_id)


@router.post(
    "/{credential_id}/schedule",
    name="credentials.schedule",
    response_model=CredentialRead,
    openapi_extra=body_docs(ScheduleRequest),
    responses=WRITE_ERRORS,
    description="The credential shows `status: scheduled` until then. Scheduling again moves "
    "the moment; `POST /{id}/issue` issues it at once. " + IDEMPOTENCY_DOCS,
)
async def schedule_credential(
    api: Api,
    credential_id: str,
    body: Annotated[ScheduleRequest, json_body(ScheduleRequest)],
) -> object:
    """Issue and send a draft credential later, at `scheduledAt`."""
    return await _credentials(api).schedule(credential_id, body)


@router.delete(
    "/{credential_id}/schedule",
    name="credentials.unschedule",
    response_model=CredentialRead,
    responses=error_responses(NotFound, Conflict),
)
async def unschedule_credential(api: Api, credential_id: str) -> object:
    """Cancel a credential's schedule: it is a draft again."""
    return await _credentials(api).unschedule(credential_id)
