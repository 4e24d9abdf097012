"""`laurel apps`, run as a user would: a real process against a fresh SQLite file."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

LAUREL = [sys.executable, "-m", "laurel"]


def laurel(env: dict[str, str], *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    completed = subprocess.run(
        [*LAUREL, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert (completed.returncode == 0) == ok, completed.stderr
    return completed


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "LAUREL_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "LAUREL_LOG_LEVEL": "WARNING",
    }
    laurel(env, "db", "upgrade")
    return env


@pytest.fixture
def organization(cli_env: dict[str, str]) -> str:
    return laurel(cli_env, "orgs", "create", "Acme").stdout.strip()


def test_create_list_and_revoke_apps(cli_env: dict[str, str], organization: str) -> None:
    public = laurel(
        cli_env, "apps", "create", "--org", organization, "--name", "Mobile",
        "--redirect-uri", "http://127.0.0.1:8765/cb", "--scope", "organization-members:read",
    )  # fmt: skip
    (client_id,) = public.stdout.split()
    assert client_id.startswith("laurel_app_")

    confidential = laurel(
        cli_env, "apps", "create", "--org", organization, "--name", "Roster Sync",
        "--redirect-uri", "https://a.example/cb", "--redirect-uri", "https://b.example/cb",
        "--confidential",
    )  # fmt: skip
    server_id, secret = confidential.stdout.split()
    assert secret.startswith("laurel_ocs_")
    assert "shown once" in confidential.stderr

    listing = laurel(cli_env, "apps", "list", "--org", organization).stdout
    rows = {line.split("\t")[0]: line.split("\t") for line in listing.splitlines()[1:]}
    assert rows[client_id][1:5] == [
        "Mobile",
        "none",
        "http://127.0.0.1:8765/cb",
        "organization_members:read",
    ]
    assert rows[server_id][2:4] == [
        "client_secret_basic",
        "https://a.example/cb https://b.example/cb",
    ]
    assert len(rows[server_id][4].split()) == 12  # every API scope by default
    assert secret not in listing

    laurel(cli_env, "apps", "revoke", client_id)
    listing = laurel(cli_env, "apps", "list", "--org", organization).stdout
    assert next(line for line in listing.splitlines() if line.startswith(client_id)).endswith("Z")
    again = laurel(cli_env, "apps", "revoke", client_id, ok=False)
    assert "No active app" in again.stderr


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--redirect-uri", "http://app.example/cb", "must be an absolute https URL"),
        ("--redirect-uri", "/relative/cb", "must be an absolute https URL"),
        ("--redirect-uri", "https://app.example/cb#x", "without a fragment"),
        ("--scope", "spaceships:read", "unknown API scope 'spaceships:read'"),
        ("--scope", "openid", "identity scope"),
    ],
)
def test_bad_redirect_uris_and_scopes_are_refused(
    cli_env: dict[str, str], organization: str, option: str, value: str, message: str
) -> None:
    arguments = {"--redirect-uri": "https://app.example/cb", option: value}
    flat = [item for pair in arguments.items() for item in pair]
    failed = laurel(
        cli_env, "apps", "create", "--org", organization, "--name", "X", *flat, ok=False
    )
    assert message in failed.stderr
    assert "Traceback" not in failed.stderr
    assert failed.stdout == ""
