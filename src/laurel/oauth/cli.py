"""`laurel apps`: OAuth apps (clients) of an organization."""

from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.commands import in_transaction, notes, print_rows
from laurel.kit.errors import NotFound
from laurel.kit.timestamps import format_timestamp
from laurel.oauth.apps import RegisteredApp, register_app
from laurel.oauth.repository import OAuthRepository

app = typer.Typer(help="OAuth apps (clients) of an organization.", no_args_is_help=True)


@app.command("create")
def apps_create(
    org: Annotated[str, typer.Option(help="The organization's id")],
    name: Annotated[str, typer.Option(help="The name users see on the consent page")],
    redirect_uri: Annotated[
        list[str], typer.Option(help="Where users return (repeat); https, or http on loopback")
    ],
    scope: Annotated[
        list[str] | None, typer.Option(help="An API scope (repeat); default: all of them")
    ] = None,
    confidential: Annotated[
        bool, typer.Option(help="A server-side app with a client secret (basic or post auth)")
    ] = False,
) -> None:
    """Register an app; prints its client_id, then (confidential apps) its secret, once."""

    async def create(session: AsyncSession) -> RegisteredApp:
        return await register_app(
            session, org, name, redirect_uri, scope or [], confidential=confidential
        )

    registered = in_transaction(create)
    typer.echo(registered.app.client_id)
    if registered.client_secret is not None:
        typer.echo(registered.client_secret)
        notes.print("The client secret is shown once: only its hash is kept.")


@app.command("list")
def apps_list(org: Annotated[str, typer.Option(help="The organization's id")]) -> None:
    """List an organization's apps."""

    async def fetch(session: AsyncSession) -> list[tuple[str, ...]]:
        apps = await OAuthRepository(session).apps_of(org)
        return [
            (
                a.client_id,
                a.name,
                a.token_endpoint_auth_method,
                " ".join(a.redirect_uris.split()),
                a.scopes,
                format_timestamp(a.revoked_at) if a.revoked_at else "",
            )
            for a in apps
        ]

    header = ("client_id", "name", "auth_method", "redirect_uris", "scopes", "revoked_at")
    print_rows(header, in_transaction(fetch))


@app.command("revoke")
def apps_revoke(client_id: str) -> None:
    """Revoke an app and every token issued to it."""

    async def revoke(session: AsyncSession) -> None:
        if not await OAuthRepository(session).revoke_app(client_id):
            raise NotFound(f"No active app with client_id '{client_id}'")

    in_transaction(revoke)
