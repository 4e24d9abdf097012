"""`/v1/issuer`: thin; the profile, its rules and the keys are `issuers.service`'s."""

from typing import Annotated, Any

from laurel.issuer_api import Api, issuer_router, json_body
from laurel.issuers import service
from laurel.issuers.schemas import IssuerUpdate
from laurel.kit.body import body_docs

router = issuer_router(
    prefix="/v1/issuer",
    tags=["Issuer profile and keys"],
)


@router.get("", name="issuer.get")
async def get_issuer(api: Api) -> Any:
    """The organization's issuer profile, identifier (DID) and keys."""
    return await service.profile(api.session, api.settings, api.principal.organization_id)


@router.patch("", name="issuer.update", openapi_extra=body_docs(IssuerUpdate))
async def update_issuer(api: Api, body: Annotated[IssuerUpdate, json_body(IssuerUpdate)]) -> Any:
    """Update the issuer profile shown in new credentials, and how they are signed."""
    return await service.update_profile(
        api.session, api.settings, api.principal.organization_id, body
    )


@router.post("/keys/rotate", name="issuer.rotate_key")
async def rotate_key(api: Api) -> Any:
    """Start signing with a new key; earlier credentials keep verifying with the old ones."""
    await service.rotate_key(api.session, api.settings, api.principal.organization_id)
    return await service.profile(api.session, api.settings, api.principal.organization_id)
