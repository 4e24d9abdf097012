"""create-issue-send checks everything it can refuse before its insert: a refused request runs no
write statement, and leaves no credential and no job behind."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import event, func, select

from laurel.db import Database
from laurel.models import Credential, OutboxJob
from tests.conftest import CertifierClient

ADA = {"name": "Ada Lovelace", "email": "ada@example.org"}
UNKNOWN_ID = "01hz2ej4yzdcfkq9fa78nhyj0x"


async def rows_written(database: Database) -> tuple[int, int]:
    """How many credentials and outbox jobs exist, in every organization."""
    async with database.sessions() as session:
        credentials = await session.scalar(select(func.count()).select_from(Credential))
        jobs = await session.scalar(select(func.count()).select_from(OutboxJob))
    return credentials or 0, jobs or 0


@pytest.fixture
def writes(app: FastAPI) -> Iterator[list[str]]:
    """The write statements the app's own engine runs during the test."""
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statement = str(args[2]).lstrip().upper()
        if statement.startswith(("INSERT", "UPDATE", "DELETE")):
            statements.append(statement)

    engine = app.state.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    yield statements
    event.remove(engine, "before_cursor_execute", seen)


REFUSED: dict[str, tuple[dict[str, Any], int, str]] = {
    "no recipient name": ({"recipient": {"email": "ada@example.org"}}, 400, "recipient.name"),
    "a malformed email": ({"recipient": {"name": "Ada", "email": "ada@"}}, 400, "recipient.email"),
    "an undefined custom attribute": (
        {"recipient": ADA, "customAttributes": {"custom.mentor": "Jane"}},
        400,
        "customAttributes.custom.mentor",
    ),
    "expiry before issue": (
        {"recipient": ADA, "issueDate": "2024-02-01", "expiryDate": "2024-01-01"},
        400,
        "expiryDate",
    ),
    "an unknown email template": (
        {"recipient": ADA, "emailTemplateId": UNKNOWN_ID},
        400,
        "emailTemplateId",
    ),
    "an unknown credential template": ({"recipient": ADA, "groupId": UNKNOWN_ID}, 404, ""),
}


@pytest.mark.parametrize("case", list(REFUSED))
async def test_a_refused_create_issue_send_writes_nothing(
    api: CertifierClient, group_id: str, database: Database, writes: list[str], case: str
) -> None:
    body, status, param = REFUSED[case]
    before = await rows_written(database)
    writes.clear()  # the fixtures' own setup
    response = await api.request(
        "POST", "/v1/credentials/create-issue-send", json={"groupId": group_id, **body}
    )
    assert response.status_code == status, response.text
    if param:
        assert response.json()["error"]["param"] == param
    assert writes == [], "refused before any write"
    assert await rows_written(database) == before == (0, 0)
