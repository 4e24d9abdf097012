"""The `laurel` command: serve, migrate, and manage organizations and tokens."""

import asyncio
import os
import secrets
import signal
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
import uvicorn
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.auth.dependencies import Principal
from laurel.auth.scopes import Scope
from laurel.certifications.cli import app as certification_types_app
from laurel.commands import in_transaction, notes, print_rows
from laurel.config import get_settings
from laurel.credentials.importer import ImportResult, plan_import, run_import
from laurel.db import Database
from laurel.delivery.repository import OutboxRepository
from laurel.gallery import service as gallery
from laurel.groups import service as groups
from laurel.groups.repository import GroupRepository
from laurel.groups.schemas import DesignChoice
from laurel.issuers import service as issuers
from laurel.issuers.repository import IssuerRepository
from laurel.kit.errors import LaurelError, NotFound
from laurel.kit.logs import configure_logging
from laurel.kit.timestamps import format_timestamp
from laurel.migrate import upgrade_database
from laurel.models import Plan, Role
from laurel.oauth.cli import app as apps_app
from laurel.operations.cli import db_backup, db_restore, secret_app
from laurel.organizations import service as organizations
from laurel.rendering.pool import preload_in_render_workers
from laurel.serving import uvicorn_options
from laurel.tokens import service as tokens
from laurel.users import service as users
from laurel.users.cli import app as users_app
from laurel.vc.verify import read_credential, verify_credential
from laurel.worker import DeliveryWorker

T = TypeVar("T")

# `laurel` (the console script) is the main script of `laurel serve`: each render worker runs it
# again. With this module imported once by their forkserver, that costs them nothing.
preload_in_render_workers(__name__)

app = typer.Typer(help="Laurel: a self-hostable credential platform.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema, backups and restores.", no_args_is_help=True)
orgs_app = typer.Typer(help="Organizations (tenants).", no_args_is_help=True)
tokens_app = typer.Typer(help="API access tokens.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(orgs_app, name="orgs")
app.add_typer(tokens_app, name="tokens")
outbox_app = typer.Typer(
    help="Emails and webhook deliveries waiting or done.", no_args_is_help=True
)
credentials_app = typer.Typer(help="Credentials in bulk.", no_args_is_help=True)
app.add_typer(outbox_app, name="outbox")
app.add_typer(credentials_app, name="credentials")
issuer_app = typer.Typer(help="Issuer profile and signing keys.", no_args_is_help=True)
app.add_typer(issuer_app, name="issuer")
app.add_typer(users_app, name="users")
app.add_typer(apps_app, name="apps")
app.add_typer(certification_types_app, name="certification-types")
app.add_typer(secret_app, name="secret")
db_app.command("backup")(db_backup)
db_app.command("restore")(db_restore)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Default: LAUREL_HOST or 127.0.0.1")] = None,
    port: Annotated[int | None, typer.Option(help="Default: LAUREL_PORT or 8000")] = None,
    workers: Annotated[int, typer.Option(min=1, help="API processes")] = 1,
) -> None:
    """Serve the API."""
    # The app (in each worker process) reads its settings from the environment: what is given
    # here goes there too, so links and credential ids name the port actually served.
    if host is not None:
        os.environ["LAUREL_HOST"] = host
    if port is not None:
        os.environ["LAUREL_PORT"] = str(port)
    get_settings.cache_clear()
    settings = get_settings()
    uvicorn.run(
        "laurel.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        **uvicorn_options(settings),
    )


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Migrate the database to the newest schema (or to REVISION)."""
    upgrade_database(get_settings().database_url, revision)
    notes.print(f"database at {revision}")


DEMO_EMAIL = "demo@example.org"
# The demo's credential template draws with these starters (certificate first, then badge).
DEMO_TEMPLATE_NAME = "Financial Markets"
DEMO_TEMPLATE_STARTERS = ("classic-landscape-a4", "medal-round-badge")


@app.command()
def demo() -> None:
    """On the first run, create a demo organization and print its access tokens.

    The organization starts with a copy of every starter design of the gallery and a
    credential template, "Financial Markets", drawn with two of them. Three lines on stdout:
    the organization's token (issuer API), a personal token of its owner, demo@example.org,
    with every scope (records API), then the template's id. On stderr: where to sign in to the
    web app, as demo@example.org with a random password shown this once.
    """

    password = secrets.token_urlsafe(12)

    async def create_demo(session: AsyncSession) -> tuple[str, str, str] | None:
        if await organizations.has_any_organization(session):
            return None
        organization = await organizations.create_organization(
            session, "Demo Organization", Plan.premium
        )
        token = await tokens.create_token(session, organization.id, "demo")
        owner = await users.create_user(session, DEMO_EMAIL, "Demo Owner", password)
        await users.add_membership(session, organization.id, owner.id, Role.owner, is_primary=True)
        personal = await users.create_personal_token(session, owner.id, list(Scope), name="demo")
        principal = Principal(organization.id, organization.plan, token.record.id)
        copies = await gallery.copy_starters(session, principal)
        template = await groups.create_group(
            session,
            principal,
            name=DEMO_TEMPLATE_NAME,
            designs=[DesignChoice(copies[id_].id, "designIds") for id_ in DEMO_TEMPLATE_STARTERS],
            learning_event_url=None,
            email_template_id=None,
        )
        return token.secret, personal.secret, template.id

    created = in_transaction(create_demo)
    sign_in_url = f"{get_settings().public_url.rstrip('/')}/app/sign-in"
    if created is None:
        notes.print("Organizations exist already; `laurel tokens create --org ID` makes a token.")
        notes.print(f"Sign in to the web app at {sign_in_url}", markup=False, highlight=False)
        return
    notes.print(
        "Created the demo organization with the gallery's starter designs. Shown only this "
        "once: its access token (issuer API), the personal token of its owner "
        f"demo@example.org (records API), then the id of its credential template "
        f'"{DEMO_TEMPLATE_NAME}":'
    )
    typer.echo("\n".join(created))
    # stdout stays the three lines scripts read; the person at the terminal reads stderr.
    notes.print(f"Sign in to the web app at {sign_in_url}", markup=False, highlight=False)
    notes.print(f"  email:    {DEMO_EMAIL}", markup=False, highlight=False)
    notes.print(f"  password: {password}   (shown only this once)", markup=False, highlight=False)


@orgs_app.command("create")
def orgs_create(
    name: str, plan: Annotated[Plan, typer.Option(help="free or premium")] = Plan.free
) -> None:
    """Create an organization; prints its id."""

    async def create(session: AsyncSession) -> str:
        return (await organizations.create_organization(session, name, plan)).id

    typer.echo(in_transaction(create))


@orgs_app.command("list")
def orgs_list() -> None:
    """List organizations."""
    rows = in_transaction(organizations.list_organizations)
    print_rows(
        ("id", "name", "plan", "created"),
        [(o.id, o.name, o.plan, format_timestamp(o.created_at)) for o in rows],
    )


@orgs_app.command("set-plan")
def orgs_set_plan(organization_id: str, plan: Plan) -> None:
    """Move an organization to another plan."""

    async def change(session: AsyncSession) -> None:
        await organizations.set_plan(session, organization_id, plan)

    in_transaction(change)
    notes.print(f"{organization_id} is now on the {plan} plan")


@tokens_app.command("create")
def tokens_create(
    org: Annotated[str, typer.Option(help="The organization's id")],
    name: Annotated[str, typer.Option(help="A label to recognise the token by")] = "cli",
) -> None:
    """Create an access token; prints it once (only its hash is stored)."""

    async def create(session: AsyncSession) -> str:
        return (await tokens.create_token(session, org, name)).secret

    typer.echo(in_transaction(create))


@tokens_app.command("list")
def tokens_list(org: Annotated[str, typer.Option(help="The organization's id")]) -> None:
    """List an organization's tokens (never the tokens themselves)."""

    async def fetch(session: AsyncSession) -> list[tuple[str, ...]]:
        return [
            (
                t.id,
                t.name,
                format_timestamp(t.created_at),
                format_timestamp(t.revoked_at) if t.revoked_at else "-",
            )
            for t in await tokens.list_tokens(session, org)
        ]

    print_rows(("id", "name", "created", "revoked"), in_transaction(fetch))


@tokens_app.command("revoke")
def tokens_revoke(token_id: str) -> None:
    """Revoke a token by its id; requests with it are refused at once."""

    async def revoke(session: AsyncSession) -> None:
        await tokens.revoke_token(session, token_id)

    in_transaction(revoke)
    notes.print(f"token {token_id} revoked")


@app.command()
def worker(
    batch_size: Annotated[int, typer.Option(min=1, max=500, help="Jobs claimed at a time")] = 20,
) -> None:
    """Deliver emails and webhooks from the outbox until interrupted (Ctrl-C, SIGTERM)."""
    settings = get_settings()
    configure_logging(settings.log_level)

    async def run() -> None:
        database = Database.from_settings(settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signal_number, stop.set)
        try:
            await DeliveryWorker(database, settings, batch_size=batch_size).run(stop)
        finally:
            await database.dispose()

    asyncio.run(run())


@outbox_app.command("list")
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


@outbox_app.command("show")
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


@credentials_app.command("import")
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


class ImportRefused(Exception):
    pass


@issuer_app.command("show")
def issuer_show(org: Annotated[str, typer.Option(help="The organization's id")]) -> None:
    """Show the issuer's identifier (DID), signing method and keys."""
    settings = get_settings()

    async def fetch(session: AsyncSession) -> tuple[Any, list[Any]]:
        identity = await issuers.signing_identity(session, settings, org)
        return identity, await IssuerRepository(session).keys(org)

    identity, keys = in_transaction(fetch)
    typer.echo(f"id\t{identity.issuer_id}\nverification method\t{identity.verification_method}")
    typer.echo(f"cryptosuite\t{identity.cryptosuite}")
    for key in keys:
        state = "retired" if key.retired_at else "active"
        typer.echo(f"key\t{key.id}\t{key.public_multibase}\t{state}")


@issuer_app.command("set")
def issuer_set(
    org: Annotated[str, typer.Option(help="The organization's id")],
    url: Annotated[str | None, typer.Option()] = None,
    email: Annotated[str | None, typer.Option()] = None,
    image: Annotated[str | None, typer.Option()] = None,
    description: Annotated[str | None, typer.Option()] = None,
    cryptosuite: Annotated[
        str | None, typer.Option(help="eddsa-rdfc-2022 or eddsa-jcs-2022")
    ] = None,
    did_method: Annotated[str | None, typer.Option(help="web or key")] = None,
) -> None:
    """Change the issuer profile (only the options given)."""
    if cryptosuite not in (None, "eddsa-rdfc-2022", "eddsa-jcs-2022"):
        raise typer.BadParameter("eddsa-rdfc-2022 or eddsa-jcs-2022", param_hint="--cryptosuite")
    if did_method not in (None, "web", "key"):
        raise typer.BadParameter("web or key", param_hint="--did-method")
    given = {
        "issuer_url": url,
        "issuer_email": email,
        "issuer_image": image,
        "issuer_description": description,
        "cryptosuite": cryptosuite,
        "did_method": did_method,
    }
    values = {column: value for column, value in given.items() if value is not None}

    async def change(session: AsyncSession) -> None:
        if await IssuerRepository(session).profile(org) is None:
            raise NotFound(f"No organization with id '{org}'")
        await IssuerRepository(session).update_profile(org, values)

    in_transaction(change)
    notes.print(f"issuer profile of {org} updated")


@issuer_app.command("rotate-key")
def issuer_rotate_key(org: Annotated[str, typer.Option(help="The organization's id")]) -> None:
    """Sign from now on with a new key; the old ones stay published."""
    settings = get_settings()

    async def rotate(session: AsyncSession) -> str:
        return await issuers.rotate_key(session, settings, org)

    typer.echo(in_transaction(rotate))


@app.command("verify")
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

    async def check(session: AsyncSession) -> list[Any]:
        return await verify_credential(session, settings, document)

    checks = in_transaction(check)
    for result in checks:
        typer.echo(f"{result.name}\t{result.outcome}\t{result.detail}")
    if any(result.outcome == "failed" for result in checks):
        raise typer.Exit(1)
