"""Starting the records API from the command line: users, memberships, personal tokens."""

from laurel.app import create_app
from laurel.config import Environment, Settings
from laurel.kit.ids import uuid_of
from tests.conftest import make_client
from tests.test_cli import cli_env, run  # noqa: F401 (cli_env is a fixture)


async def test_a_script_starts_with_a_personal_token(cli_env: dict[str, str]) -> None:  # noqa: F811
    run(cli_env, "db", "upgrade")
    organization_id = run(cli_env, "orgs", "create", "Clinic").stdout.strip()
    user_id = run(cli_env, "users", "create", "Ana@Example.org", "--name", "Ana").stdout.strip()
    member_id = run(
        cli_env,
        "users",
        "join",
        user_id,
        "--org",
        organization_id,
        "--role",
        "manager",
        "--primary",
    ).stdout.strip()
    token = run(
        cli_env,
        "users",
        "token",
        user_id,
        "--scope",
        "certification_records:read",
        "--scope",
        "organization-members:read",
    ).stdout.strip()
    assert token.startswith("laurel_pat_")
    standard = run(cli_env, "certification-types", "create-standard", "cpr", "CPR").stdout.strip()
    assert "cpr" in run(cli_env, "certification-types", "list-standard").stdout
    listing = run(cli_env, "users", "tokens", user_id).stdout
    assert "organization_members:read" in listing and token not in listing

    settings = Settings(
        env=Environment.testing, database_url=cli_env["LAUREL_DATABASE_URL"], auth_cache_seconds=0
    )
    headers = {"Authorization": f"Bearer {token}"}
    async with make_client(create_app(settings)) as http:
        me = (await http.get("/v1/me", headers=headers)).json()["data"]
        assert me["user"]["email"] == "ana@example.org"
        assert me["scopes"] == ["certification_records:read", "organization_members:read"]
        assert me["accessible_member_ids"] == [uuid_of(member_id)]
        types = await http.get(
            f"/v1/organizations/{uuid_of(organization_id)}/certification-types", headers=headers
        )
        assert types.status_code == 403  # no certification_types:read scope
        (token_id,) = [line.split("\t")[0] for line in listing.splitlines()[1:]]
        run(cli_env, "users", "revoke-token", token_id)
        assert (await http.get("/v1/me", headers=headers)).status_code == 401
    assert len(standard) == 26
