"""`laurel verify`: check a credential file as /v1/verify does."""

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.commands import in_transaction, notes
from laurel.config import get_settings
from laurel.kit.errors import LaurelError
from laurel.vc.verify import Check, read_credential, verify_credential


def verify_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
) -> None:
    """Verify a credential (JSON, or a baked PNG/SVG badge) as /v1/verify does.

    Exits 1 unless every check passes (or is skipped).
    """
    settings = get_settings()
    try:
        document = read_credential(file.read_bytes(), "")
    except LaurelError as error:
        notes.print(f"[red]{error.message}[/red]")
        raise typer.Exit(1) from None

    async def check(session: AsyncSession) -> list[Check]:
        return await verify_credential(session, settings, document)

    checks = in_transaction(check)
    for result in checks:
        typer.echo(f"{result.name}\t{result.outcome}\t{result.detail}")
    if any(result.outcome == "failed" for result in checks):
        raise typer.Exit(1)
