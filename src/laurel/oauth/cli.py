"""`laurel apps`: OAuth apps of an organization (placeholder until the flow lands)."""

import typer

app = typer.Typer(help="OAuth apps (clients) of an organization.", no_args_is_help=True)
