from laurel.cli import app

app()
