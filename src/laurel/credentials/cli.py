"""`laurel credentials import`: credentials in bulk from a CSV file."""

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)

from laurel.commands import notes
from laurel.config import get_settings
from laurel.credentials.importer import ImportResult, plan_import, run_import
from laurel.db import Database
from laurel.groups.repository import GroupRepository
from laurel.kit.errors import LaurelError, NotFound

app = typer.Typer(help="Credentials in bulk.", no_args_is_help=True)


class ImportRefused(Exception):
    pass


@app.command("import")
def credentials_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    group: Annotated[str, typer.Option(help="The credential template's id")],
    issue: Annotated[bool, typer.Option(help="Issue the credentials")] = False,
    send: Annotated[bool, typer.Option(help="Issue and email them")] = False,
    batch_size: Annotated[int, typer.Option(min=1, max=10_000)] = 1000,
) -> None:
    """Create credentials from a CSV file: name, email, issue_date, expiry_date, custom.* columns.

    Every row is checked before anything is written. Running the same file again creates only
    what is missing, so an interrupted import is finished by running it again.
    """
    settings = get_settings()

    async def run() -> ImportResult:
        database = Database.from_settings(settings)
        try:
            async with database.sessions() as session:
                organization_id = await GroupRepository(session).organization_of(group)
            if organization_id is None:
                raise NotFound(f"No credential template with id '{group}'")
            plan = await plan_import(database, organization_id, file)
            if plan.error_count:
                for error in plan.errors:
                    notes.print(error, markup=False, highlight=False)
                more = plan.error_count - len(plan.errors)
                if more > 0:
                    notes.print(f"... and {more} more")
                raise ImportRefused(f"{plan.error_count} bad rows; nothing was imported")
            with Progress(
                TextColumn("importing"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=notes,
            ) as bar:
                task = bar.add_task("import", total=plan.rows)
                return await run_import(
                    database,
                    settings,
                    plan,
                    group,
                    issue=issue,
                    send=send,
                    batch_size=batch_size,
                    progress=lambda done: bar.advance(task, done),
                )
        finally:
            await database.dispose()

    try:
        result = asyncio.run(run())
    except (LaurelError, ImportRefused) as error:
        notes.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None
    summary = f"{result.created} created, {result.skipped} already imported"
    if send:
        summary += f", {result.not_emailed} not emailed (no email address)"
    typer.echo(summary)
