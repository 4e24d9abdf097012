from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from laurel.db import Database
from laurel.kit.errors import RETRY_AFTER_SECONDS

router = APIRouter(tags=["Health"])


@router.get("/healthz", name="health.live")
async def live() -> dict[str, str]:
    """Say the process is up. Also the hello-world reference route of the benchmarks."""
    return {"status": "ok"}


@router.get(
    "/readyz", name="health.ready", responses={503: {"description": "Database unreachable"}}
)
async def ready(request: Request) -> JSONResponse:
    """Say whether the database answers."""
    database: Database = request.app.state.database
    try:
        async with database.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:
        return JSONResponse(
            {"status": "unavailable", "database": "unreachable"},
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    return JSONResponse({"status": "ok", "database": "ok"})
