"""Access tokens: created from the CLI, shown once, stored as a hash."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.kit.crypto import generate_token, hash_token
from laurel.kit.errors import NotFound
from laurel.models import AccessToken, Plan
from laurel.organizations.repository import OrganizationRepository
from laurel.tokens.repository import AccessTokenRepository


@dataclass(frozen=True)
class CreatedToken:
    record: AccessToken
    secret: str


async def create_token(session: AsyncSession, organization_id: str, name: str) -> CreatedToken:
    if await OrganizationRepository(session).get(organization_id) is None:
        raise NotFound(f"No organization with id '{organization_id}'")
    secret = generate_token()
    record = AccessToken(organization_id=organization_id, name=name, token_hash=hash_token(secret))
    AccessTokenRepository(session).add(record)
    await session.flush()
    return CreatedToken(record, secret)


async def list_tokens(session: AsyncSession, organization_id: str) -> Sequence[AccessToken]:
    return await AccessTokenRepository(session).list_for_organization(organization_id)


async def revoke_token(session: AsyncSession, token_id: str) -> None:
    if not await AccessTokenRepository(session).revoke(token_id):
        raise NotFound(f"No active token with id '{token_id}'")


@dataclass(frozen=True)
class ActiveToken:
    token_id: str
    organization_id: str
    plan: Plan


async def find_active_token(session: AsyncSession, token_hash: str) -> ActiveToken | None:
    row = await AccessTokenRepository(session).get_active_by_hash(token_hash)
    return None if row is None else ActiveToken(row.id, row.organization_id, Plan(row.plan))
