"""`laurel db` (upgrade, backup, restore) and `laurel secret rotate`."""

import asyncio
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from alembic.script import ScriptDirectory
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from laurel.commands import in_transaction, notes
from laurel.config import Settings, get_settings
from laurel.migrate import alembic_config, upgrade_database
from laurel.operations.backups import (
    BackupRefused,
    Copied,
    backup_sqlite,
    libpq_connection,
    pg_dump_command,
    pg_restore_command,
    postgres_steps,
    restore_sqlite,
)
from laurel.operations.backups import (
    Progress as ProgressCallback,
)
from laurel.operations.secret_key import Resealed, reseal_stored_secrets

db_app = typer.Typer(help="Database schema, backups and restores.", no_args_is_help=True)
secret_app = typer.Typer(help="The secret key (LAUREL_SECRET_KEY).", no_args_is_help=True)

Force = Annotated[bool, typer.Option("--force", help="Replace what is there")]


def _copy_with_progress(label: str, copy: Callable[[ProgressCallback], Copied]) -> Copied:
    """Run the copy with a progress bar, shown from its first step (a refusal shows none)."""
    bar = Progress(
        TextColumn(label), BarColumn(), TaskProgressColumn(), TimeRemainingColumn(), console=notes
    )
    task: TaskID | None = None

    def advance(done: int, total: int) -> None:
        nonlocal task
        if task is None:
            bar.start()
            task = bar.add_task(label, total=total)
        bar.update(task, completed=done, total=total)

    try:
        return copy(advance)
    finally:
        bar.stop()


def _schema_note(revision: str | None) -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    if revision == head:
        return f"schema {revision} (current)"
    return f"schema {revision}; `laurel db upgrade` brings it to {head}"


def _run_postgres_tool(command: list[str], password: dict[str, str], label: str) -> None:
    """Run pg_dump or pg_restore, its --verbose lines shown one at a time under a spinner."""
    with (
        notes.status(label) as status,
        subprocess.Popen(  # noqa: S603 (a fixed command, no shell)
            command,
            env={**os.environ, **password},
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        ) as process,
    ):
        assert process.stderr is not None
        lines: list[str] = []
        for line in process.stderr:
            lines.append(line.rstrip())
            status.update(f"{label}: {line.strip()[:80]}")
        if process.wait() != 0:
            failures = [line for line in lines if "error" in line.lower()] or lines[-5:]
            raise BackupRefused(f"{command[0]} failed:\n" + "\n".join(failures))


def _postgres_tool(name: str, settings: Settings) -> None:
    if shutil.which(name) is None:
        notes.print(
            postgres_steps(settings.database_url), markup=False, highlight=False, soft_wrap=True
        )
        raise BackupRefused(f"{name} is not installed here; the steps above do it by hand")


async def _postgres_has_schema(database_url: str) -> bool:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            found = await connection.execute(
                text("SELECT 1 FROM information_schema.tables WHERE table_name = 'alembic_version'")
            )
            return found.first() is not None
    finally:
        await engine.dispose()


@db_app.command("backup")
def db_backup(
    file: Annotated[Path, typer.Argument(dir_okay=False, help="Where to write the backup")],
    force: Force = False,
) -> None:
    """Back up the database to FILE while Laurel keeps running.

    SQLite: a consistent copy through SQLite's online backup API. PostgreSQL: `pg_dump
    --format=custom` (its steps are printed where pg_dump is not installed). The secret key is
    not in it: keep LAUREL_SECRET_KEY as safely as the backup (docs/operations.md).
    """
    settings = get_settings()
    sqlite_path = settings.sqlite_path()
    try:
        if sqlite_path is not None:
            copied = _copy_with_progress(
                "backing up",
                lambda progress: backup_sqlite(sqlite_path, file, progress, force=force),
            )
            notes.print(
                f"{sqlite_path} backed up to {copied.path} ({copied.size_bytes / 2**20:.1f} MiB, "
                f"{_schema_note(copied.revision)})"
            )
            return
        _postgres_tool("pg_dump", settings)
        if file.exists() and not force:
            raise BackupRefused(f"{file} exists; --force replaces it")
        connection, password = libpq_connection(settings.database_url)
        _run_postgres_tool(pg_dump_command(connection, file), password, "pg_dump")
        notes.print(f"backed up to {file} ({file.stat().st_size / 2**20:.1f} MiB, pg_dump)")
    except BackupRefused as refusal:
        notes.print(f"[red]{refusal}[/red]")
        raise typer.Exit(1) from None


@db_app.command("restore")
def db_restore(
    file: Annotated[Path, typer.Argument(dir_okay=False, help="A backup from `laurel db backup`")],
    force: Force = False,
) -> None:
    """Restore the database from FILE, into LAUREL_DATABASE_URL.

    An empty or missing database is restored into as it is; one that holds data is replaced only
    with --force, after every `laurel serve` and `laurel worker` using it has been stopped.
    """
    settings = get_settings()
    sqlite_path = settings.sqlite_path()
    try:
        if sqlite_path is not None:
            copied = _copy_with_progress(
                "restoring",
                lambda progress: restore_sqlite(file, sqlite_path, progress, force=force),
            )
            notes.print(f"{file} restored to {copied.path} ({_schema_note(copied.revision)})")
            return
        _postgres_tool("pg_restore", settings)
        if not file.is_file():
            raise BackupRefused(f"There is no backup at {file}")
        if asyncio.run(_postgres_has_schema(settings.database_url)) and not force:
            raise BackupRefused(
                "The database holds a schema already; stop every `laurel serve` and "
                "`laurel worker` using it, then --force replaces it"
            )
        connection, password = libpq_connection(settings.database_url)
        _run_postgres_tool(pg_restore_command(connection, file), password, "pg_restore")
        notes.print(f"{file} restored (pg_restore); `laurel db upgrade` if this Laurel is newer")
    except BackupRefused as refusal:
        notes.print(f"[red]{refusal}[/red]")
        raise typer.Exit(1) from None


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Migrate the database to the newest schema (or to REVISION)."""
    upgrade_database(get_settings().database_url, revision)
    notes.print(f"database at {revision}")


@secret_app.command("rotate")
def secret_rotate() -> None:
    """Re-seal every stored secret under LAUREL_SECRET_KEY, reading with it or with
    LAUREL_SECRET_KEY_PREVIOUS.

    Issuers' signing keys and webhook secrets are sealed under the secret key. To change it:
    set the new key as LAUREL_SECRET_KEY and the old one as LAUREL_SECRET_KEY_PREVIOUS
    everywhere, run this once, then drop LAUREL_SECRET_KEY_PREVIOUS. Nothing changes if any
    secret opens with neither key.
    """
    settings = get_settings()

    async def reseal(session: AsyncSession) -> Resealed:
        return await reseal_stored_secrets(session, settings)

    resealed = in_transaction(reseal)
    previous = (
        "LAUREL_SECRET_KEY_PREVIOUS is no longer needed"
        if settings.secret_key_previous
        else "(no LAUREL_SECRET_KEY_PREVIOUS was set: they were already under this key)"
    )
    notes.print(
        f"{resealed.issuer_keys} issuer keys and {resealed.webhook_secrets} webhook secrets "
        f"sealed under LAUREL_SECRET_KEY; {previous}"
    )
