"""`laurel outbox`: the emails and webhook deliveries waiting or done."""

from typing import Annotated, Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.commands import in_transaction, print_rows
from laurel.delivery.repository import OutboxRepository
from laurel.kit.errors import NotFound
from laurel.kit.timestamps import format_timestamp

app = typer.Typer(help="Emails and webhook deliveries waiting or done.", no_args_is_help=True)


@app.command("list")
def outbox_list(
    status: Annotated[str | None, typer.Option(help="pending, held, delivered or dead")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
) -> None:
    """List outbox jobs, newest first."""

    async def fetch(session: AsyncSession) -> list[tuple[str, ...]]:
        rows = await OutboxRepository(session).list_jobs(status, limit)
        return [
            (
                row.id,
                row.kind,
                row.event_type,
                row.status,
                str(row.attempts),
                row.payload.get("to", "") if row.kind == "email" else (row.endpoint_id or ""),
                format_timestamp(row.created_at),
            )
            for row in rows
        ]

    print_rows(
        ("id", "kind", "event", "status", "attempts", "to", "created"), in_transaction(fetch)
    )


@app.command("show")
def outbox_show(job_id: str) -> None:
    """Show one outbox job: the whole email, or the webhook body, and its last error."""

    async def fetch(session: AsyncSession) -> Any:
        row = await OutboxRepository(session).get(job_id)
        if row is None:
            raise NotFound(f"No outbox job with id '{job_id}'")
        return row

    row = in_transaction(fetch)
    typer.echo(f"id: {row.id}\nkind: {row.kind}\nevent: {row.event_type}\nstatus: {row.status}")
    typer.echo(f"attempts: {row.attempts}\nlast error: {row.last_error or '-'}")
    if row.kind == "email":
        payload = row.payload
        parts = "text and html" if payload.get("html") else "text"
        typer.echo(f"to: {payload['to']}\nsubject: {payload['subject']}\nparts: {parts}")
        typer.echo(f"\n{payload['text']}")
    else:
        typer.echo(f"\n{row.payload['body']}")
