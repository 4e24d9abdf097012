"""`laurel openedx`, run as an operator would (docs/openedx.md, steps 1 and 6)."""

import subprocess

from laurel.kit.ids import uuid_of
from tests.test_cli import LAUREL, cli_env, run  # noqa: F401 (cli_env: the fixture, by name)


def test_show_and_set_the_webhook_url(cli_env: dict[str, str]) -> None:  # noqa: F811
    run(cli_env, "db", "upgrade")
    organization = run(cli_env, "orgs", "create", "Acme").stdout.strip()
    shown = run(cli_env, "openedx", "show", organization).stdout
    assert uuid_of(organization) in shown

    env = {**cli_env, "LAUREL_WEBHOOKS_ALLOW_PRIVATE_ADDRESSES": "true"}
    url = "http://127.0.0.1:8000/badges/credly/webhook/"
    run(env, "openedx", "set-webhook", organization, url)
    assert url in run(cli_env, "openedx", "show", organization).stdout

    refused = subprocess.run(
        [*LAUREL, "openedx", "set-webhook", organization, url],
        env=cli_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 1
    run(cli_env, "openedx", "set-webhook", organization, "-")
    assert url not in run(cli_env, "openedx", "show", organization).stdout
