"""`laurel certification-types`: the standard types every organization shares (operator only)."""

from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.certifications.repository import CertificationTypeRepository
from laurel.certifications.schemas import CertificationTypeCreate
from laurel.certifications.service.certification_types import add_type
from laurel.commands import in_transaction, print_rows
from laurel.kit.errors import ValidationFailed

app = typer.Typer(
    help="Standard certification types, shared by every organization.", no_args_is_help=True
)


@app.command("create-standard")
def create_standard(
    slug: str,
    title: str,
    description: Annotated[str | None, typer.Option(help="What the certification is")] = None,
) -> None:
    """Create a standard certification type; prints its id alone."""
    try:
        body = CertificationTypeCreate(slug=slug, title=title, description=description)
    except ValueError as error:
        raise ValidationFailed(str(error)) from None

    async def create(session: AsyncSession) -> str:
        return (await add_type(session, None, body)).id

    typer.echo(in_transaction(create))


@app.command("list-standard")
def list_standard() -> None:
    """List the standard certification types."""

    async def fetch(session: AsyncSession) -> list[tuple[str, ...]]:
        types = await CertificationTypeRepository(session).list_standard()
        return [(t.id, t.slug, t.title, t.status) for t in types]

    print_rows(("id", "slug", "title", "status"), in_transaction(fetch))
