"""The Open edX connection of an organization: where its template events are pushed."""

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.kit.errors import NotFound, ValidationFailed
from laurel.kit.outbound import DestinationRefused, Resolver, refuse_non_public_url
from laurel.openedx.repository import OpenEdxRepository

MAX_URL_LENGTH = 2048


async def set_webhook_url(
    session: AsyncSession,
    organization_id: str,
    url: str | None,
    *,
    allow_private: bool,
    resolver: Resolver,
) -> None:
    """Register (or with None, forget) the Open edX webhook URL; a non-public one is refused
    unless LAUREL_WEBHOOKS_ALLOW_PRIVATE_ADDRESSES, and the worker checks again on every push."""
    repository = OpenEdxRepository(session)
    if not await repository.organization_name(organization_id):
        raise NotFound("No organization has this id")
    if url is not None:
        url = url.strip()
        if not url.startswith(("https://", "http://")) or len(url) > MAX_URL_LENGTH:
            raise ValidationFailed("url: must be an http(s) URL", param="url")
        if not allow_private:
            try:
                await refuse_non_public_url(url, resolver)
            except DestinationRefused as refused:
                raise ValidationFailed(f"url: {refused}", param="url") from None
    await repository.set_webhook_url(organization_id, url)


async def webhook_url(session: AsyncSession, organization_id: str) -> str | None:
    return await OpenEdxRepository(session).webhook_url(organization_id)
