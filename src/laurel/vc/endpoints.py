"""Verifiable credentials: the signed form, revocation, status lists, DID documents, verify.

The badge with the signed credential baked in is a rendering: rendering/endpoints.py.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import Field

from laurel.credentials.endpoints import CREDENTIALS_PATH
from laurel.db import DbSession
from laurel.issuer_api import Api, CamelModel, issuer_router, json_body
from laurel.issuers.service import did_document, key_document
from laurel.kit.body import body_docs
from laurel.kit.errors import (
    Conflict,
    InvalidJson,
    NotFound,
    ValidationFailed,
    error_responses,
)
from laurel.vc import service
from laurel.vc.verify import read_credential, verify_credential

# A credential's signed form and its revocation, under the path credentials/ owns.
router = issuer_router(prefix=CREDENTIALS_PATH, tags=["Verifiable credentials"])
public = APIRouter(tags=["Public: verification"])
CACHED_PUBLICLY = {"Cache-Control": "public, max-age=300"}


class RevokeRequest(CamelModel):
    reason: str = Field(min_length=1, max_length=1000)


@router.get(
    "/{credential_id}/vc",
    name="credentials.vc",
    responses=error_responses(NotFound, Conflict),
)
async def get_verifiable_credential(api: Api, credential_id: str) -> Any:
    """The credential as a signed Open Badges 3.0 credential (JSON-LD)."""
    return await service.signed_form(api.session, api.settings, api.principal, credential_id)


@router.post(
    "/{credential_id}/revoke",
    name="credentials.revoke",
    openapi_extra=body_docs(RevokeRequest),
    responses=error_responses(NotFound, Conflict),
)
async def revoke_credential(
    api: Api, credential_id: str, body: Annotated[RevokeRequest, json_body(RevokeRequest)]
) -> Any:
    """Revoke an issued credential: its status bit flips, verifiers see it revoked."""
    return await service.revoke_credential(
        api.session, api.settings, api.principal, credential_id, body.reason
    )


# GET /credentials/{public_id} (the signed credential, or the recipient's page for browsers) is
# served by laurel.pages.endpoints.public_credential.


@public.get("/status/{list_id}", name="public.status_list", responses=error_responses(NotFound))
async def status_list(request: Request, session: DbSession, list_id: str) -> Response:
    """A signed BitstringStatusListCredential."""
    document = await service.status_list_credential(session, request.app.state.settings, list_id)
    return JSONResponse(document, headers=CACHED_PUBLICLY)


@public.get(
    "/achievements/{group_id}", name="public.achievement", responses=error_responses(NotFound)
)
async def published_achievement(request: Request, session: DbSession, group_id: str) -> Response:
    """The Open Badges 3.0 Achievement a credential names: its credential template, published."""
    document = await service.published_achievement(session, request.app.state.settings, group_id)
    return JSONResponse(document, headers=CACHED_PUBLICLY)


@public.get(
    "/issuers/{organization_id}/did.json",
    name="public.did_document",
    responses=error_responses(NotFound),
)
async def issuer_did_document(
    request: Request, session: DbSession, organization_id: str
) -> Response:
    """The issuer's DID document (did:web), listing every key it has signed with."""
    document = await did_document(session, request.app.state.settings, organization_id)
    return JSONResponse(document, headers=CACHED_PUBLICLY)


@public.get(
    "/issuers/{organization_id}/keys/{key_id}",
    name="public.key",
    responses=error_responses(NotFound),
)
async def issuer_key(
    request: Request, session: DbSession, organization_id: str, key_id: str
) -> Response:
    """One of the issuer's keys as a Multikey document (its verification method, over HTTPS)."""
    document = await key_document(session, request.app.state.settings, organization_id, key_id)
    return JSONResponse(document, headers=CACHED_PUBLICLY)


@public.post(
    "/v1/verify",
    name="public.verify",
    responses=error_responses(InvalidJson, ValidationFailed),
)
async def verify(request: Request, session: DbSession) -> Any:
    """Verify a credential: proof, issuer key, validity dates, revocation, OB 3.0 shape.

    Public: no token needed. Send the credential as JSON, or a baked badge as `image/png` or
    `image/svg+xml`.
    """
    document = read_credential(await request.body(), request.headers.get("content-type", ""))
    settings = request.app.state.settings
    checks = await verify_credential(session, settings, document)
    verified = all(check.outcome != "failed" for check in checks)
    if isinstance(document, dict):  # one of ours that passed counts as `credential_verified`
        await service.own_credential_verified(session, settings, document, count=verified)
    return {
        "verified": verified,
        "checks": [
            {"check": check.name, "result": check.outcome, "detail": check.detail}
            for check in checks
        ],
    }
