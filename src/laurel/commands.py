"""What every `laurel` subcommand shares: one transaction per command, plain output."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.config import get_settings
from laurel.db import Database
from laurel.kit.errors import LaurelError

T = TypeVar("T")

# Results go to stdout alone, so scripts can capture them; tables and notes go to stderr.
notes = Console(stderr=True)


def in_transaction(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one committed transaction; our errors become a message and exit code 1."""

    async def run() -> T:
        database = Database.from_settings(get_settings())
        try:
            async with database.sessions() as session, session.begin():
                return await work(session)
        finally:
            await database.dispose()

    try:
        return asyncio.run(run())
    except LaurelError as error:
        notes.print(f"[red]{error.message}[/red]")
        raise typer.Exit(1) from None


def print_rows(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """Tab-separated, header first: readable, and easy for scripts to cut."""
    for row in (header, *rows):
        typer.echo("\t".join(row))
