"""The `laurel` command, run as a user would: a real process against a fresh SQLite file."""

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pymupdf
import pytest

from laurel.app import create_app
from laurel.config import Environment, Settings
from laurel.gallery.starters import STARTERS
from tests.conftest import VERSION, make_client
from tests.fixtures.processes import free_port

LAUREL = [sys.executable, "-m", "laurel"]


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    completed = subprocess.run(
        [*LAUREL, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 0, completed.stderr
    return completed


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "LAUREL_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "LAUREL_LOG_LEVEL": "WARNING",
    }


async def test_orgs_and_tokens_from_the_command_line(cli_env: dict[str, str]) -> None:
    run(cli_env, "db", "upgrade")
    organization_id = run(cli_env, "orgs", "create", "Acme", "--plan", "free").stdout.strip()
    assert len(organization_id) == 26
    token = run(cli_env, "tokens", "create", "--org", organization_id, "--name", "ci").stdout
    token = token.strip()
    assert token.startswith("laurel_")
    assert "Acme" in run(cli_env, "orgs", "list").stdout
    listing = run(cli_env, "tokens", "list", "--org", organization_id).stdout
    assert "ci" in listing
    assert listing.splitlines()[-1].endswith("never")
    assert token not in listing

    settings = Settings(
        env=Environment.testing,
        database_url=cli_env["LAUREL_DATABASE_URL"],
        auth_cache_seconds=0,
    )
    app = create_app(settings)
    headers = {"Authorization": f"Bearer {token}", "Certifier-Version": VERSION}
    async with make_client(app) as http:
        assert (await http.get("/v1/groups", headers=headers)).status_code == 200
        run(cli_env, "orgs", "set-plan", organization_id, "premium")
        assert f"{organization_id}\tAcme\tpremium" in run(cli_env, "orgs", "list").stdout
        (token_id,) = [line.split("\t")[0] for line in listing.splitlines() if "\tci\t" in line]
        run(cli_env, "tokens", "revoke", token_id)
        assert (await http.get("/v1/groups", headers=headers)).status_code == 401
    await app.state.database.dispose()


async def test_demo_creates_an_organization_once(cli_env: dict[str, str]) -> None:
    run(cli_env, "db", "upgrade")
    first = run(cli_env, "demo")
    organization_token, personal_token, template_id = first.stdout.split()
    # The person at the terminal is told where and how to sign in to the web app, on stderr.
    assert "/app/sign-in" in first.stderr
    (password,) = re.findall(r"password: (\S+)", first.stderr)
    assert organization_token.startswith("laurel_")
    assert personal_token.startswith("laurel_pat_")
    second = run(cli_env, "demo")
    assert second.stdout.strip() == ""
    assert "exist already" in second.stderr

    # The demo organization has the gallery's starters, and a template ready to issue with.
    settings = Settings(env=Environment.testing, database_url=cli_env["LAUREL_DATABASE_URL"])
    app = create_app(settings)
    headers = {"Authorization": f"Bearer {organization_token}", "Certifier-Version": VERSION}
    async with make_client(app) as http:
        designs = (await http.get("/v1/designs", headers=headers)).json()["data"]
        assert sorted(d["svg"] for d in designs) == sorted(s.svg for s in STARTERS)
        template = (await http.get(f"/v1/groups/{template_id}", headers=headers)).json()
        assert template["name"] == "Financial Markets"
        by_id = {d["id"]: d for d in designs}
        drawn_with = [by_id[design_id]["name"] for design_id in template["designIds"]]
        assert drawn_with == ["Classic", "Medal"]
        issued = await http.post(
            "/v1/credentials/create-issue-send",
            headers=headers,
            json={
                "groupId": template_id,
                "recipient": {"name": "Ada Lovelace", "email": "ada@example.org"},
            },
        )
        assert issued.status_code == 200, issued.text
        pdf = await http.get(f"/v1/credentials/{issued.json()['id']}/pdf", headers=headers)
        assert "Ada Lovelace" in pymupdf.open("pdf", pdf.content)[0].get_text()
        form = await http.get("/app/sign-in")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token is not None
        signed_in = await http.post(
            "/app/sign-in",
            data={"csrf_token": token[1], "email": "demo@example.org", "password": password},
        )
        assert signed_in.status_code == 303, signed_in.text
    await app.state.database.dispose()


def test_errors_are_reported_without_a_traceback(cli_env: dict[str, str]) -> None:
    run(cli_env, "db", "upgrade")
    completed = subprocess.run(
        [*LAUREL, "tokens", "create", "--org", "01hz2ej4yzdcfkq9fa78nhyj0x"],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 1
    assert "No organization" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_serve_honours_the_environment(cli_env: dict[str, str]) -> None:
    run(cli_env, "db", "upgrade")
    env = {**cli_env, "LAUREL_PORT": "8799", "LAUREL_HOST": "127.0.0.1"}
    server = subprocess.Popen([*LAUREL, "serve"], env=env, stdout=subprocess.PIPE, text=True)
    try:
        for _ in range(100):
            try:
                response = httpx.get("http://127.0.0.1:8799/readyz", timeout=0.5)
                break
            except httpx.TransportError:
                if server.poll() is not None:
                    pytest.fail("laurel serve exited")
                import time

                time.sleep(0.1)
        else:
            pytest.fail("laurel serve did not answer")
        assert response.json() == {"status": "ok", "database": "ok"}
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_help_everywhere() -> None:
    for args in ([], ["orgs"], ["tokens"], ["db"]):
        completed = subprocess.run(
            [*LAUREL, *args, "--help"], capture_output=True, text=True, timeout=60, check=False
        )
        assert completed.returncode == 0
        assert "Usage" in completed.stdout


async def test_serve_on_another_port_links_to_that_port(cli_env: dict[str, str]) -> None:
    """A second instance on its own port signs and links with its own address, not :8000's."""
    run(cli_env, "db", "upgrade")
    port = free_port()
    env = {**cli_env, "LAUREL_RUN_WORKER_IN_PROCESS": "false"}
    server = subprocess.Popen([*LAUREL, "serve", "--port", str(port)], env=env)  # noqa: ASYNC220
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            for _ in range(200):
                try:
                    if (await http.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            metadata = (await http.get("/auth/v1/.well-known/oauth-authorization-server")).json()
        assert metadata["issuer"] == f"http://127.0.0.1:{port}/auth/v1"
    finally:
        server.terminate()
        server.wait(timeout=30)
