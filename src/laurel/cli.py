"""The `laurel` command: serve, work the outbox, and each domain's command group.

Every group lives in its package's cli.py; this module is the top floor that gathers them,
with the commands that wire several domains together (`serve`, `worker`, `demo`).
"""

import asyncio
import os
import secrets
import signal
from typing import Annotated

import typer
import uvicorn
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.auth.dependencies import Principal
from laurel.auth.scopes import Scope
from laurel.certifications.cli import app as certification_types_app
from laurel.commands import in_transaction, notes
from laurel.config import get_settings
from laurel.credentials.cli import app as credentials_app
from laurel.db import Database
from laurel.delivery.cli import app as outbox_app
from laurel.gallery import service as gallery
from laurel.groups import service as groups
from laurel.groups.schemas import DesignChoice
from laurel.issuers.cli import app as issuer_app
from laurel.kit.logs import configure_logging
from laurel.members import service as members
from laurel.members.cli import join_organization
from laurel.models import Plan, Role
from laurel.oauth.cli import app as apps_app
from laurel.openedx.cli import app as openedx_app
from laurel.operations.cli import db_app, secret_app
from laurel.organizations import service as organizations
from laurel.organizations.cli import app as orgs_app
from laurel.rendering.pool import preload_in_render_workers
from laurel.serving import uvicorn_options
from laurel.tokens import service as tokens
from laurel.tokens.cli import app as tokens_app
from laurel.users import service as users
from laurel.users.cli import app as users_app
from laurel.vc.cli import verify_file
from laurel.worker import DeliveryWorker

# `laurel` (the console script) is the main script of `laurel serve`: each render worker runs it
# again. With this module imported once by their forkserver, that costs them nothing.
preload_in_render_workers(__name__)

app = typer.Typer(help="Laurel: a self-hostable credential platform.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(orgs_app, name="orgs")
app.add_typer(tokens_app, name="tokens")
app.add_typer(outbox_app, name="outbox")
app.add_typer(credentials_app, name="credentials")
app.add_typer(issuer_app, name="issuer")
app.add_typer(users_app, name="users")
# Memberships are the members package's; the command sits with the other `laurel users` ones.
users_app.command("join")(join_organization)
app.add_typer(apps_app, name="apps")
app.add_typer(certification_types_app, name="certification-types")
app.add_typer(secret_app, name="secret")
app.add_typer(openedx_app, name="openedx")


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
        await members.add_membership(
            session, organization.id, owner.id, Role.owner, is_primary=True
        )
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


app.command("verify")(verify_file)
