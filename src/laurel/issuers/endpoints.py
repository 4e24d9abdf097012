from typing import Annotated, Any, Literal

from pydantic import Field

from laurel.issuer_api import Api, CamelModel, issuer_router, json_body
from laurel.issuers import service
from laurel.issuers.repository import IssuerRepository
from laurel.kit.body import body_docs
from laurel.kit.errors import ValidationFailed
from laurel.kit.fields import EmailAddress, HttpUrlText

router = issuer_router(
    prefix="/v1/issuer",
    tags=["Issuer profile and keys"],
)


class IssuerUpdate(CamelModel):
    """Only what is sent changes; `null` clears an optional field."""

    url: HttpUrlText | None = None
    email: EmailAddress | None = None
    image: HttpUrlText | None = None
    description: str | None = Field(default=None, max_length=5000)
    cryptosuite: Literal["eddsa-rdfc-2022", "eddsa-jcs-2022"] | None = None
    did_method: Literal["web", "key"] | None = None


async def _profile(api: Any) -> dict[str, Any]:
    identity = await service.signing_identity(
        api.session, api.settings, api.principal.organization_id
    )
    row = await IssuerRepository(api.session).profile(api.principal.organization_id)
    keys = await IssuerRepository(api.session).keys(api.principal.organization_id)
    return {
        "id": identity.issuer_id,
        "name": row.name,
        "url": row.issuer_url,
        "email": row.issuer_email,
        "image": row.issuer_image,
        "description": row.issuer_description,
        "cryptosuite": row.cryptosuite,
        "didMethod": row.did_method,
        "verificationMethod": identity.verification_method,
        "keys": [
            {
                "id": key.id,
                "publicKeyMultibase": key.public_multibase,
                "retired": key.retired_at is not None,
            }
            for key in keys
        ],
    }


@router.get("", name="issuer.get")
async def get_issuer(api: Api) -> Any:
    """The organization's issuer profile, identifier (DID) and keys."""
    return await _profile(api)


@router.patch("", name="issuer.update", openapi_extra=body_docs(IssuerUpdate))
async def update_issuer(api: Api, body: Annotated[IssuerUpdate, json_body(IssuerUpdate)]) -> Any:
    """Update the issuer profile shown in new credentials, and how they are signed."""
    columns = {
        "url": "issuer_url",
        "email": "issuer_email",
        "image": "issuer_image",
        "description": "issuer_description",
        "cryptosuite": "cryptosuite",
        "did_method": "did_method",
    }
    values = {columns[field]: getattr(body, field) for field in body.model_fields_set}
    for required in ("cryptosuite", "did_method"):
        if required in values and values[required] is None:
            raise ValidationFailed(f"{required}: may not be null", param=required)
    if values:
        await IssuerRepository(api.session).update_profile(api.principal.organization_id, values)
    return await _profile(api)


@router.post("/keys/rotate", name="issuer.rotate_key")
async def rotate_key(api: Api) -> Any:
    """Start signing with a new key; earlier credentials keep verifying with the old ones."""
    await service.rotate_key(api.session, api.settings, api.principal.organization_id)
    return await _profile(api)
