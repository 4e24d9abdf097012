"""`laurel tokens`: an organization's access tokens for the issuer API."""

from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.commands import in_transaction, notes, print_rows
from laurel.kit.timestamps import format_timestamp
from laurel.tokens import service

app = typer.Typer(help="API access tokens.", no_args_is_help=True)


@app.command("create")
def tokens_create(
    org: Annotated[str, typer.Option(help="The organization's id")],
    name: Annotated[str, typer.Option(help="A label to recognise the token by")] = "cli",
) -> None:
    """Create an access token; prints it once (only its hash is stored)."""

    async def create(session: AsyncSession) -> str:
        return (await service.create_token(session, org, name)).secret

    typer.echo(in_transaction(create))


@app.command("list")
def tokens_list(org: Annotated[str, typer.Option(help="The organization's id")]) -> None:
    """List an organization's tokens (never the tokens themselves), with their last use (to the
    minute; written a few seconds after it)."""

    async def fetch(session: AsyncSession) -> list[tuple[str, ...]]:
        return [
            (
                t.id,
                t.name,
                format_timestamp(t.created_at),
                format_timestamp(t.revoked_at) if t.revoked_at else "-",
                format_timestamp(t.last_used_at) if t.last_used_at else "never",
            )
            for t in await service.list_tokens(session, org)
        ]

    print_rows(("id", "name", "created", "revoked", "last used"), in_transaction(fetch))


@app.command("revoke")
def tokens_revoke(token_id: str) -> None:
    """Revoke a token by its id; requests with it are refused at once."""

    async def revoke(session: AsyncSession) -> None:
        await service.revoke_token(session, token_id)

    in_transaction(revoke)
    notes.print(f"token {token_id} revoked")
