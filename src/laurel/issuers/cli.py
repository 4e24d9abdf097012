"""`laurel issuer`: an organization's issuer profile and signing keys."""

from typing import Annotated, Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.commands import in_transaction, notes
from laurel.config import get_settings
from laurel.issuers import service
from laurel.issuers.repository import IssuerRepository
from laurel.issuers.service import SigningIdentity
from laurel.kit.errors import NotFound

app = typer.Typer(help="Issuer profile and signing keys.", no_args_is_help=True)


@app.command("show")
def issuer_show(org: Annotated[str, typer.Option(help="The organization's id")]) -> None:
    """Show the issuer's identifier (DID), signing method and keys."""
    settings = get_settings()

    async def fetch(session: AsyncSession) -> tuple[SigningIdentity, list[Any]]:
        identity = await service.signing_identity(session, settings, org)
        return identity, await IssuerRepository(session).keys(org)

    identity, keys = in_transaction(fetch)
    typer.echo(f"id\t{identity.issuer_id}\nverification method\t{identity.verification_method}")
    typer.echo(f"cryptosuite\t{identity.cryptosuite}")
    for key in keys:
        state = "retired" if key.retired_at else "active"
        typer.echo(f"key\t{key.id}\t{key.public_multibase}\t{state}")


@app.command("set")
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


@app.command("rotate-key")
def issuer_rotate_key(org: Annotated[str, typer.Option(help="The organization's id")]) -> None:
    """Sign from now on with a new key; the old ones stay published."""
    settings = get_settings()

    async def rotate(session: AsyncSession) -> str:
        return await service.rotate_key(session, settings, org)

    typer.echo(in_transaction(rotate))
