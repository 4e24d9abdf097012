"""`laurel users join`: a membership made from the command line (the `users` group shows it,
cli.py registers it there; memberships are this package's, users know nothing of them)."""

from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.commands import in_transaction
from laurel.members import service
from laurel.models import Role


def join_organization(
    user_id: str,
    org: Annotated[str, typer.Option(help="The organization's id")],
    role: Annotated[Role, typer.Option(help="owner, admin, manager or member")] = Role.member,
    primary: Annotated[bool, typer.Option(help="The user's primary organization")] = False,
) -> None:
    """Make a user a member of an organization; prints the membership (member) id alone."""

    async def join(session: AsyncSession) -> str:
        membership = await service.add_membership(session, org, user_id, role, is_primary=primary)
        return membership.id

    typer.echo(in_transaction(join))
