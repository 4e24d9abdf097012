"""`laurel db backup` and `laurel db restore`: a backup taken while Laurel writes is consistent,
and every credential in it still verifies once restored."""

import asyncio
import shutil
import sqlite3
import time
import uuid
from collections import Counter
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import asyncpg
import httpx
import pytest

from laurel.app import create_app
from laurel.config import Environment, Settings
from laurel.db import Database
from laurel.migrate import upgrade_database
from laurel.models import Plan
from laurel.operations.backups import BackupRefused, backup_sqlite, restore_sqlite
from laurel.organizations.service import create_organization
from laurel.tokens.service import create_token
from tests.conftest import (
    CERTIFICATE_SVG,
    POSTGRES_ADMIN_URL,
    VERSION,
    make_client,
    postgres_url_for,
    unavailable,
)
from tests.fixtures.processes import (
    LAUREL,
    Processes,
    free_port,
    laurel_env,
    run_laurel,
    serve_env,
    wait_until_ready,
)

SECRET_KEY = "backups-test-secret-key"
CLIENTS = 4


async def new_database(database_url: str, organization: str) -> tuple[str, str]:
    """A migrated database with one organization; its id and an access token. In-process:
    each `laurel` command costs seconds of imports on a busy machine."""
    await asyncio.to_thread(upgrade_database, database_url)
    database = Database.from_settings(Settings(database_url=database_url))
    try:
        async with database.sessions() as session, session.begin():
            created = await create_organization(session, organization, Plan.premium)
            token = await create_token(session, created.id, "tests")
    finally:
        await database.dispose()
    return created.id, token.secret


async def wait_until(condition: Callable[[], bool], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("timed out")
        await asyncio.sleep(0.05)


def outbox_of(database: Path) -> Counter[tuple[str, str]]:
    """(kind, credential id) of every outbox job in a SQLite file."""
    with closing(sqlite3.connect(database)) as connection:
        rows = connection.execute(
            "SELECT kind, json_extract(payload, '$.credential_id') FROM outbox_jobs"
        ).fetchall()
    return Counter((kind, credential_id) for kind, credential_id in rows)


async def test_a_backup_taken_under_load_restores_and_every_credential_verifies(
    tmp_path: Path, processes: Processes
) -> None:
    live, backup, restored = tmp_path / "live.db", tmp_path / "backup.db", tmp_path / "new.db"
    port = free_port()
    public_url = f"http://127.0.0.1:{port}"
    env = laurel_env(
        f"sqlite:///{live}",
        secret_key=SECRET_KEY,
        public_url=public_url,
        rate_limit="1000000/minute",
        worker_poll_seconds="0.05",
    )
    _, token = await new_database(env["LAUREL_DATABASE_URL"], "Backed Up")
    headers = {"Authorization": f"Bearer {token}", "Certifier-Version": VERSION}
    # The server signs credentials (its in-process worker) while they are being created.
    server = processes.start(serve_env(env, port), "serve", name="serve")
    await wait_until_ready(public_url, server)

    created: list[str] = []
    stop = asyncio.Event()
    async with httpx.AsyncClient(base_url=public_url, headers=headers, timeout=60) as http:
        design = await http.post(
            "/v1/designs", json={"name": "D", "type": "certificate", "svg": CERTIFICATE_SVG}
        )
        group = await http.post(
            "/v1/groups", json={"name": "Backups", "designIds": [design.json()["id"]]}
        )
        group_id = group.json()["id"]

        async def create_issue_send(client: int) -> None:
            n = 0
            while not stop.is_set():
                response = await http.post(
                    "/v1/credentials/create-issue-send",
                    json={
                        "groupId": group_id,
                        "recipient": {"name": f"P {client}-{n}", "email": f"p{client}-{n}@ex.org"},
                    },
                )
                assert response.status_code == 200, response.text
                created.append(response.json()["id"])
                n += 1

        load = [asyncio.create_task(create_issue_send(client)) for client in range(CLIENTS)]
        await wait_until(lambda: len(created) >= 40)
        answered_before = len(created)
        await run_laurel(env, "db", "backup", str(backup))
        answered_after = len(created)
        await wait_until(lambda: len(created) >= answered_after + 20)
        stop.set()
        await asyncio.gather(*load)

    # The restore goes to a new file; the live database is not touched.
    await run_laurel(laurel_env(f"sqlite:///{restored}"), "db", "restore", str(backup))
    with closing(sqlite3.connect(restored)) as connection:
        in_backup = [row[0] for row in connection.execute("SELECT id FROM credentials")]
        signed_in_backup = connection.execute(
            "SELECT count(*) FROM credentials WHERE verifiable_credential IS NOT NULL"
        ).fetchone()[0]

    # Writes went on while the backup ran, and it holds the database of one instant within it:
    # everything answered before it began, nothing after what was in flight when it ended.
    assert answered_after > answered_before
    assert set(created[:answered_before]) <= set(in_backup) <= set(created)
    assert len(in_backup) <= answered_after + CLIENTS < len(created)
    # One transaction made each credential with its signing and email jobs: all or none of it.
    assert outbox_of(restored) == Counter(
        {(kind, credential): 1 for credential in in_backup for kind in ("sign", "email")}
    )
    assert signed_in_backup > 0

    # A new app on the restored file, with the same secret key, signs what was not signed yet
    # and verifies everything.
    settings = Settings(
        env=Environment.testing,
        database_url=f"sqlite:///{restored}",
        secret_key=SECRET_KEY,
        public_url=public_url,
        run_worker_in_process=False,
        rate_limit="1000000/minute",
        log_level="WARNING",
    )
    app = create_app(settings)
    try:
        async with make_client(app) as http:
            for credential_id in in_backup:
                vc = await http.get(f"/v1/credentials/{credential_id}/vc", headers=headers)
                assert vc.status_code == 200, vc.text
                verdict = await http.post("/v1/verify", json=vc.json())
                checks = {c["check"]: c["result"] for c in verdict.json()["checks"]}
                assert checks == dict.fromkeys(
                    ("shape", "issuer", "proof", "validity", "revocation"), "passed"
                ), (credential_id, verdict.json())
    finally:
        await app.state.database.dispose()


def organizations_in(database: Path) -> list[str]:
    with closing(sqlite3.connect(database)) as connection:
        return [row[0] for row in connection.execute("SELECT name FROM organizations")]


async def test_backups_and_restores_replace_files_only_when_forced(tmp_path: Path) -> None:
    first, second, backup = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "a.backup"
    await new_database(f"sqlite:///{first}", "First")
    await new_database(f"sqlite:///{second}", "Second")
    steps: list[tuple[int, int]] = []
    copied = backup_sqlite(first, backup, lambda *step: steps.append(step), force=False)
    assert copied.revision is not None and steps and steps[-1][0] == steps[-1][1]

    not_a_database = tmp_path / "notes.txt"
    not_a_database.write_text("not a database at all")
    refusals: list[tuple[Callable[[], object], str]] = [
        (lambda: backup_sqlite(first, backup, ignore, force=False), "exists; --force"),
        (lambda: backup_sqlite(tmp_path / "none.db", backup, ignore, force=True), "no database"),
        (lambda: restore_sqlite(backup, second, ignore, force=False), "holds a database"),
        (lambda: restore_sqlite(tmp_path / "none", second, ignore, force=True), "no backup"),
        (lambda: restore_sqlite(not_a_database, second, ignore, force=True), "not a SQLite"),
    ]
    for attempt, message in refusals:
        with pytest.raises(BackupRefused, match=message):
            attempt()
    assert organizations_in(second) == ["Second"]

    # The command says so and exits 1; with --force it replaces the database.
    env = laurel_env(f"sqlite:///{second}")
    process = await asyncio.create_subprocess_exec(
        *LAUREL, "db", "restore", str(backup), env=env, stderr=asyncio.subprocess.PIPE
    )
    _, stderr = await process.communicate()
    assert process.returncode == 1
    assert "--force replaces it" in " ".join(stderr.decode().split())
    await run_laurel(env, "db", "restore", str(backup), "--force")
    assert organizations_in(second) == ["First"]


def ignore(done: int, total: int) -> None:
    pass


async def _postgres(command: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    try:
        await connection.execute(command)
    finally:
        await connection.close()


async def postgres_organizations(name: str) -> dict[str, str]:
    connection = await asyncpg.connect(postgres_url_for(name), timeout=5)
    try:
        return {
            row["id"]: row["name"] for row in await connection.fetch("SELECT * FROM organizations")
        }
    finally:
        await connection.close()


async def new_organization(database_url: str, name: str) -> None:
    database = Database.from_settings(Settings(database_url=database_url))
    try:
        async with database.sessions() as session, session.begin():
            await create_organization(session, name, Plan.free)
    finally:
        await database.dispose()


async def test_postgresql_is_backed_up_with_pg_dump_and_restored_with_pg_restore(
    tmp_path: Path,
) -> None:
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        unavailable("pg_dump and pg_restore (postgresql-client) are not installed")
    names = [f"laurel_backup_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    try:
        for name in names:
            await _postgres(f'CREATE DATABASE "{name}"')
    except (OSError, asyncpg.PostgresError) as error:
        unavailable(f"PostgreSQL at {POSTGRES_ADMIN_URL} is unreachable: {error}")
    source, target = (laurel_env(postgres_url_for(name)) for name in names)
    try:
        organization, _ = await new_database(source["LAUREL_DATABASE_URL"], "On PostgreSQL")
        dump = tmp_path / "laurel.dump"
        await run_laurel(source, "db", "backup", str(dump))
        assert dump.read_bytes().startswith(b"PGDMP")  # pg_dump's custom format

        await run_laurel(target, "db", "restore", str(dump))
        process = await asyncio.create_subprocess_exec(
            *LAUREL, "db", "restore", str(dump), env=target, stderr=asyncio.subprocess.PIPE
        )
        _, stderr = await process.communicate()
        assert process.returncode == 1
        assert "--force" in stderr.decode()
        await new_organization(target["LAUREL_DATABASE_URL"], "Made after the backup")
        await run_laurel(target, "db", "restore", str(dump), "--force")
        assert await postgres_organizations(names[1]) == {organization: "On PostgreSQL"}
    finally:
        for name in names:
            await _postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
