"""Webhook endpoints: where and what to announce, with a signing secret shown once."""

from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.auth.dependencies import Principal
from laurel.config import Settings
from laurel.delivery.repository import OutboxRepository
from laurel.delivery.signatures import new_webhook_secret
from laurel.kit.crypto import encrypt_secret
from laurel.kit.errors import Conflict, NotFound, ValidationFailed, found_by_id
from laurel.kit.ids import is_valid_id, new_id
from laurel.kit.outbound import DestinationRefused, Resolver, refuse_non_public_url
from laurel.kit.pagination import PageParams, PageResult
from laurel.models import JobStatus
from laurel.webhooks.repository import WebhookRepository
from laurel.webhooks.schemas import WebhookCreate


async def create_webhook(
    session: AsyncSession,
    principal: Principal,
    settings: Settings,
    data: WebhookCreate,
    resolver: Resolver,
) -> dict[str, Any]:
    """Subscribe a URL; one that is, or resolves to, a non-public address is refused (unless
    LAUREL_WEBHOOKS_ALLOW_PRIVATE_ADDRESSES), and the worker checks again on every delivery."""
    if not settings.webhooks_allow_private_addresses:
        try:
            await refuse_non_public_url(data.url, resolver)
        except DestinationRefused as refused:
            raise ValidationFailed(f"url: {refused}", param="url") from None
    secret = new_webhook_secret()
    endpoint_id = new_id()
    repository = WebhookRepository(session)
    await repository.insert(
        {
            "id": endpoint_id,
            "organization_id": principal.organization_id,
            "url": data.url,
            "event_types": sorted(set(data.event_types)),
            "secret_encrypted": encrypt_secret(settings.secret_key, secret),
        }
    )
    return {**(await _endpoint(session, principal, endpoint_id))._asdict(), "secret": secret}


async def get_webhook(session: AsyncSession, principal: Principal, endpoint_id: str) -> Any:
    return await _endpoint(session, principal, endpoint_id)


async def list_webhooks(
    session: AsyncSession, principal: Principal, params: PageParams
) -> PageResult[Any]:
    return await WebhookRepository(session).page(principal.organization_id, params)


async def delete_webhook(session: AsyncSession, principal: Principal, endpoint_id: str) -> None:
    deleted = is_valid_id(endpoint_id) and await WebhookRepository(session).delete(
        principal.organization_id, endpoint_id
    )
    if not deleted:
        raise NotFound()


async def rotate_secret(
    session: AsyncSession, principal: Principal, settings: Settings, endpoint_id: str
) -> dict[str, Any]:
    await _endpoint(session, principal, endpoint_id)
    secret = new_webhook_secret()
    await WebhookRepository(session).set_secret(
        principal.organization_id, endpoint_id, encrypt_secret(settings.secret_key, secret)
    )
    return {**(await _endpoint(session, principal, endpoint_id))._asdict(), "secret": secret}


async def list_deliveries(
    session: AsyncSession, principal: Principal, endpoint_id: str, params: PageParams
) -> PageResult[dict[str, Any]]:
    await _endpoint(session, principal, endpoint_id)
    outbox = OutboxRepository(session)
    page = await outbox.page_for_endpoint(principal.organization_id, endpoint_id, params)
    attempts = await outbox.attempts_of([row.id for row in page.rows])
    deliveries = [
        {
            **row._asdict(),
            "next_attempt_at": row.next_attempt_at if row.status == JobStatus.pending else None,
            "attempt_log": [attempt._asdict() for attempt in attempts[row.id]],
        }
        for row in page.rows
    ]
    return PageResult(deliveries, page.prev, page.next)


async def redeliver(
    session: AsyncSession, principal: Principal, endpoint_id: str, job_id: str, now: datetime
) -> None:
    """Send one delivery again (a delivered one, or one that gave up); 409 while it is still
    being tried, 404 when it is not this organization endpoint's."""
    await _endpoint(session, principal, endpoint_id)
    outbox = OutboxRepository(session)
    if await outbox.requeue(principal.organization_id, endpoint_id, job_id, now):
        return
    job = await outbox.get(job_id) if is_valid_id(job_id) else None
    if job is None or (job.organization_id, job.endpoint_id) != (
        principal.organization_id,
        endpoint_id,
    ):
        raise NotFound()
    raise Conflict("That delivery is still being tried; it can be sent again once it settles")


async def _endpoint(session: AsyncSession, principal: Principal, endpoint_id: str) -> Any:
    repository = WebhookRepository(session)
    return await found_by_id(partial(repository.get, principal.organization_id), endpoint_id)
