"""`laurel openedx`: an organization's Open edX connection (docs/openedx.md)."""

from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.commands import in_transaction, notes, print_rows
from laurel.config import get_settings
from laurel.kit.ids import uuid_of
from laurel.kit.outbound import system_resolver
from laurel.openedx import service

app = typer.Typer(help="Open edX badges: the organization's connection.", no_args_is_help=True)


@app.command("show")
def openedx_show(organization_id: str) -> None:
    """The organization UUID to enter in Open edX, and the webhook URL events go to."""

    async def read(session: AsyncSession) -> str | None:
        return await service.webhook_url(session, organization_id)

    url = in_transaction(read)
    print_rows(("organization_uuid", "webhook_url"), [(uuid_of(organization_id), url or "")])


@app.command("set-webhook")
def openedx_set_webhook(
    organization_id: str,
    url: Annotated[
        str, typer.Argument(help="https://<credentials-host>/badges/credly/webhook/, or '-'")
    ],
) -> None:
    """Push template changes to Open edX's webhook URL ('-' stops pushing)."""
    settings = get_settings()

    async def change(session: AsyncSession) -> None:
        await service.set_webhook_url(
            session,
            organization_id,
            None if url == "-" else url,
            allow_private=settings.webhooks_allow_private_addresses,
            resolver=system_resolver,
        )

    in_transaction(change)
    notes.print("Open edX webhook URL saved" if url != "-" else "Open edX webhook URL removed")
