"""`laurel orgs`: organizations (tenants) and their plans."""

from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.commands import in_transaction, notes, print_rows
from laurel.kit.timestamps import format_timestamp
from laurel.models import Plan
from laurel.organizations import service

app = typer.Typer(help="Organizations (tenants).", no_args_is_help=True)


@app.command("create")
def orgs_create(
    name: str, plan: Annotated[Plan, typer.Option(help="free or premium")] = Plan.free
) -> None:
    """Create an organization; prints its id."""

    async def create(session: AsyncSession) -> str:
        return (await service.create_organization(session, name, plan)).id

    typer.echo(in_transaction(create))


@app.command("list")
def orgs_list() -> None:
    """List organizations."""
    rows = in_transaction(service.list_organizations)
    print_rows(
        ("id", "name", "plan", "created"),
        [(o.id, o.name, o.plan, format_timestamp(o.created_at)) for o in rows],
    )


@app.command("set-plan")
def orgs_set_plan(organization_id: str, plan: Plan) -> None:
    """Move an organization to another plan."""

    async def change(session: AsyncSession) -> None:
        await service.set_plan(session, organization_id, plan)

    in_transaction(change)
    notes.print(f"{organization_id} is now on the {plan} plan")
