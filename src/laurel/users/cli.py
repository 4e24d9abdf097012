"""`laurel users`: people, their memberships and personal access tokens (records API)."""

from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.auth.scopes import Scope
from laurel.commands import in_transaction, print_rows
from laurel.kit.timestamps import format_timestamp
from laurel.models import UserTokenKind
from laurel.users import service
from laurel.users.repository import UserRepository, UserTokenRepository

app = typer.Typer(
    help="Users of the records API, their memberships and personal tokens.", no_args_is_help=True
)


def _ask_password() -> str:
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@app.command("create")
def users_create(
    email: str,
    name: Annotated[str, typer.Option(help="Display name")] = "",
    password: Annotated[
        bool, typer.Option("--password", help="Ask for a password (for the OAuth sign-in page)")
    ] = False,
) -> None:
    """Create a user; prints the new user's id alone."""
    secret = _ask_password() if password else None

    async def create(session: AsyncSession) -> str:
        return (await service.create_user(session, email, name, secret)).id

    typer.echo(in_transaction(create))


@app.command("list")
def users_list() -> None:
    """List users."""

    async def fetch(session: AsyncSession) -> list[tuple[str, ...]]:
        users = await UserRepository(session).list_all()
        return [(u.id, u.email, u.display_name) for u in users]

    print_rows(("id", "email", "display_name"), in_transaction(fetch))


@app.command("set-password")
def users_set_password(user_id: str) -> None:
    """Set the password a user signs in with on the OAuth consent page."""
    secret = _ask_password()
    in_transaction(lambda session: service.set_password(session, user_id, secret))


@app.command("token")
def users_token(
    user_id: str,
    scope: Annotated[
        list[str] | None, typer.Option(help="An API scope (repeat); default: all of them")
    ] = None,
    name: Annotated[str, typer.Option(help="What the token is for")] = "personal",
    expires_in_days: Annotated[int | None, typer.Option(min=1)] = None,
) -> None:
    """Create a personal access token; prints it alone, once (only its hash is kept)."""
    scopes = scope or [s.value for s in Scope]

    async def create(session: AsyncSession) -> str:
        created = await service.create_personal_token(
            session, user_id, scopes, name=name, expires_in_days=expires_in_days
        )
        return created.secret

    typer.echo(in_transaction(create))


@app.command("tokens")
def users_tokens(user_id: str) -> None:
    """List a user's personal access tokens."""

    async def fetch(session: AsyncSession) -> list[tuple[str, ...]]:
        rows = await UserTokenRepository(session).list_for_user(user_id, UserTokenKind.personal)
        return [
            (
                t.id,
                t.name,
                t.scopes,
                format_timestamp(t.created_at),
                format_timestamp(t.revoked_at) if t.revoked_at else "",
            )
            for t in rows
        ]

    print_rows(("id", "name", "scopes", "created_at", "revoked_at"), in_transaction(fetch))


@app.command("revoke-token")
def users_revoke_token(token_id: str) -> None:
    """Revoke a personal access token."""
    in_transaction(lambda session: service.revoke_user_token(session, token_id))
