from typing import Annotated

from fastapi import Depends, Request, Response

from laurel.issuer_api import Api, ListResponse, PageQuery, issuer_router, json_body, list_body
from laurel.kit.body import body_docs
from laurel.kit.errors import InvalidJson, NotFound, ValidationFailed, error_responses
from laurel.kit.outbound import Resolver
from laurel.webhooks import service
from laurel.webhooks.schemas import DeliveryRead, WebhookCreate, WebhookRead, WebhookWithSecret

router = issuer_router(
    prefix="/v1/webhooks",
    tags=["Webhooks"],
)


def outbound_resolver(request: Request) -> Resolver:
    """The application's resolver for outbound names (create_app's `resolver`)."""
    resolver: Resolver = request.app.state.resolver
    return resolver


@router.post(
    "",
    name="webhooks.create",
    response_model=WebhookWithSecret,
    openapi_extra=body_docs(WebhookCreate),
    responses=error_responses(InvalidJson, ValidationFailed),
)
async def create_webhook(
    api: Api,
    body: Annotated[WebhookCreate, json_body(WebhookCreate)],
    resolver: Annotated[Resolver, Depends(outbound_resolver)],
) -> object:
    """Subscribe a URL to credential events. The signing secret is shown only in this answer.

    Each delivery is a POST with `X-Webhook-Signature` (hex HMAC-SHA256 of the raw body, as
    Certifier sends) and the Standard Webhooks headers `webhook-id`, `webhook-timestamp` and
    `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. The URL must be, and
    resolve to, public addresses only.
    """
    return await service.create_webhook(api.session, api.principal, api.settings, body, resolver)


@router.get("", name="webhooks.list", response_model=ListResponse[WebhookRead])
async def list_webhooks(api: Api, page: PageQuery) -> object:
    """List webhook endpoints."""
    return list_body(await service.list_webhooks(api.session, api.principal, page))


@router.get(
    "/{endpoint_id}",
    name="webhooks.get",
    response_model=WebhookRead,
    responses=error_responses(NotFound),
)
async def get_webhook(api: Api, endpoint_id: str) -> object:
    """Get a webhook endpoint."""
    return await service.get_webhook(api.session, api.principal, endpoint_id)


@router.delete(
    "/{endpoint_id}",
    name="webhooks.delete",
    status_code=204,
    response_class=Response,
    responses=error_responses(NotFound),
)
async def delete_webhook(api: Api, endpoint_id: str) -> None:
    """Delete a webhook endpoint and its pending deliveries."""
    await service.delete_webhook(api.session, api.principal, endpoint_id)


@router.post(
    "/{endpoint_id}/rotate-secret",
    name="webhooks.rotate_secret",
    response_model=WebhookWithSecret,
    responses=error_responses(NotFound),
)
async def rotate_secret(api: Api, endpoint_id: str) -> object:
    """Replace the signing secret; the new one is shown only in this answer."""
    return await service.rotate_secret(api.session, api.principal, api.settings, endpoint_id)


@router.get(
    "/{endpoint_id}/deliveries",
    name="webhooks.deliveries",
    response_model=ListResponse[DeliveryRead],
    responses=error_responses(NotFound),
)
async def list_deliveries(api: Api, endpoint_id: str, page: PageQuery) -> object:
    """List the endpoint's deliveries, newest first, each with its attempts."""
    return list_body(await service.list_deliveries(api.session, api.principal, endpoint_id, page))
