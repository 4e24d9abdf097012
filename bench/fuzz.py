"""`make fuzz`: schemathesis against a running Laurel, every API family, every check.

It migrates a fresh SQLite database in a temporary folder, runs `laurel demo` for an issuer
token and a records personal token, starts `laurel serve` on a free port, makes one of each
resource through the API (`seed`), and runs schemathesis (`--checks all`) for each API family
with the family's credentials: the examples, coverage and fuzzing phases with the seeded ids in
the path, then the stateful phase on its own (bench/fuzz.toml says which checks are configured
and why). Any finding, or a traceback in the server's log, fails the run.

    FUZZ_EXAMPLES   test cases per operation and phase (default 25)
    FUZZ_TIMEOUT    seconds the whole run may take; past them it stops and fails (default 1800)
    FUZZ_SEED       a seed to reproduce a run (schemathesis prints the one it used)
    FUZZ_FAMILIES   `certifier,records,credly,accredible` (default all four)

Nothing leaves this machine: the server delivers no emails or webhooks (no worker runs), does
not resolve the hostnames of the webhook URLs it is sent, and fetches no remote issuers.
"""

import base64
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from laurel.kit.ids import uuid_of

ROOT = Path(__file__).resolve().parents[1]
CONFIG = Path(__file__).with_name("fuzz.toml")
BIN = Path(sys.executable).parent
LAUREL = [str(BIN / "laurel")]
SCHEMATHESIS = str(BIN / "schemathesis")
VERSION = "2022-10-26"
DEADLINE = time.monotonic() + float(os.environ.get("FUZZ_TIMEOUT", "1800"))

# Which operations belong to which family; the records family also carries the OAuth routes,
# which sign its users in.
FAMILIES = {
    "certifier": (
        "^/(?!v1/(me|certifications|organizations|qualification-results)|auth/|credly/|accredible/)"
    ),
    "records": "^/(v1/(me|certifications|organizations|qualification-results)|auth/)",
    # Not key rotation: it revokes the key that asks, and every later request would be a 401.
    "credly": "^/credly/(?!.*authorization_tokens)",
    "accredible": "^/accredible/",
}


# Path ids name the resources `seed` made, so that the fuzzer reaches past the 404 of an unknown
# id into the routes' own rules and checks real 200s against their schemas. Not in the stateful
# phase, which follows the ids its own requests return (a seeded id there would stand in for
# the resource just created), and not for DELETEs, which would 404 the rest of the run.
SEEDED = """
[[operations]]
include-path-regex = "^/v1/"
exclude-method = "DELETE"
[operations.parameters]
"path.design_id" = "{LAUREL_FUZZ_DESIGN}"
"path.group_id" = "{LAUREL_FUZZ_GROUP}"
"path.credential_id" = "{LAUREL_FUZZ_CREDENTIAL}"
"path.endpoint_id" = "{LAUREL_FUZZ_WEBHOOK}"
"path.member_id" = "{LAUREL_FUZZ_MEMBER}"
"path.type_id" = "{LAUREL_FUZZ_TYPE}"
"path.certification_id" = "{LAUREL_FUZZ_RECORD}"
"path.role_id" = "{LAUREL_FUZZ_JOB_ROLE}"
"path.qualification_id" = "{LAUREL_FUZZ_QUALIFICATION}"

[[operations]]
include-path-regex = "^/(credentials|achievements|issuers)/"
[operations.parameters]
"path.public_id" = "{LAUREL_FUZZ_PUBLIC_ID}"
"path.group_id" = "{LAUREL_FUZZ_GROUP}"
"path.organization_id" = "{LAUREL_FUZZ_ISSUER_ORGANIZATION}"

[[operations]]
include-path-regex = "^/credly/"
[operations.parameters]
"path.organization_id" = "{LAUREL_FUZZ_ORGANIZATION_UUID}"
"""
PHASES = {"examples,coverage,fuzzing": True, "stateful": False}  # phases: seeded ids or not

# Each family's credentials (and the Certifier family's version header), on every request.
HEADERS = {
    "certifier": [
        "Authorization: Bearer {LAUREL_FUZZ_ISSUER_TOKEN}",
        "Certifier-Version: {LAUREL_FUZZ_VERSION}",
    ],
    "records": ["Authorization: Bearer {LAUREL_FUZZ_PERSONAL_TOKEN}"],
    # Open edX's Credly client sends HTTP Basic with the bare key, its Accredible client Bearer.
    "credly": ["Authorization: Basic {LAUREL_FUZZ_CREDLY_KEY}"],
    "accredible": ["Authorization: Bearer {LAUREL_FUZZ_ISSUER_TOKEN}"],
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_environment(folder: Path, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "LAUREL_DATABASE_URL": f"sqlite:///{folder / 'fuzz.db'}",
        "LAUREL_HOST": "127.0.0.1",
        "LAUREL_PORT": str(port),
        "LAUREL_PUBLIC_URL": f"http://127.0.0.1:{port}",
        # The fuzzer sends thousands of requests a minute from one token and one address.
        "LAUREL_RATE_LIMIT": "1000000/minute",
        "LAUREL_SIGN_IN_RATE_LIMIT": "1000000/minute",
        # Generated webhook URLs name hosts anywhere: never deliver to them, never resolve them.
        "LAUREL_RUN_WORKER_IN_PROCESS": "false",
        "LAUREL_WEBHOOKS_ALLOW_PRIVATE_ADDRESSES": "true",
        "LAUREL_RESOLVE_REMOTE_ISSUERS": "false",
        "LAUREL_LOG_LEVEL": "WARNING",
    }


def run_cli(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [*LAUREL, *args], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


# A loaded machine (CI runs this right after the suite) can take a while to start a server.
STARTUP_SECONDS = 120


def wait_until_serving(base_url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"laurel serve exited with {server.returncode}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"laurel serve did not answer /healthz within {STARTUP_SECONDS} s")


CERTIFICATE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600">'
    "<text x='10' y='40'>[recipient.name]</text></svg>"
)


def seed(base_url: str, issuer_token: str, personal_token: str) -> dict[str, str]:
    """One of each resource, made through the API: the fuzzer's path parameters name them.

    Without them nearly every `/{id}` route answers 404, and nothing past the lookup (nor a
    single 200 to check against its schema) is ever reached.
    """
    issuer = httpx.Client(
        base_url=base_url,
        headers={"Authorization": f"Bearer {issuer_token}", "Certifier-Version": VERSION},
    )
    records = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {personal_token}"})

    def made(client: httpx.Client, path: str, body: dict[str, object]) -> dict[str, str]:
        response = client.post(path, json=body)
        response.raise_for_status()
        created = response.json()
        return dict(created.get("data", created))

    design = made(
        issuer, "/v1/designs", {"name": "D", "type": "certificate", "svg": CERTIFICATE_SVG}
    )
    group = made(issuer, "/v1/groups", {"name": "G", "designIds": [design["id"]]})
    credential = made(
        issuer,
        "/v1/credentials/create-issue-send",
        {"groupId": group["id"], "recipient": {"name": "Ada", "email": "ada@example.org"}},
    )
    webhook = made(
        issuer,
        "/v1/webhooks",
        {"url": "http://127.0.0.1:9/hook", "eventTypes": ["credential.created"]},
    )
    me = records.get("/v1/me").json()["data"]
    organization, member = me["organizations"][0]["id"], me["organization_memberships"][0]["id"]
    org = f"/v1/organizations/{organization}"
    kind = made(records, f"{org}/certification-types", {"slug": "bls", "title": "BLS"})
    record = made(
        records,
        f"{org}/certifications",
        {"organization_member_id": member, "certification_type_id": kind["id"]},
    )
    job_role = made(records, f"{org}/job-roles", {"name": "Nurse"})
    qualification = made(
        records, f"{org}/qualifications", {"name": "Q", "certification_type_ids": [kind["id"]]}
    )
    issuer_organization = run_organization_id(issuer)
    return {
        "LAUREL_FUZZ_ISSUER_ORGANIZATION": issuer_organization,
        "LAUREL_FUZZ_ORGANIZATION_UUID": uuid_of(issuer_organization),
        "LAUREL_FUZZ_DESIGN": design["id"],
        "LAUREL_FUZZ_GROUP": group["id"],
        "LAUREL_FUZZ_CREDENTIAL": credential["id"],
        "LAUREL_FUZZ_PUBLIC_ID": credential["publicId"],
        "LAUREL_FUZZ_WEBHOOK": webhook["id"],
        "LAUREL_FUZZ_ORGANIZATION": organization,
        "LAUREL_FUZZ_MEMBER": member,
        "LAUREL_FUZZ_TYPE": kind["id"],
        "LAUREL_FUZZ_RECORD": record["id"],
        "LAUREL_FUZZ_JOB_ROLE": job_role["id"],
        "LAUREL_FUZZ_QUALIFICATION": qualification["id"],
    }


def run_organization_id(issuer: httpx.Client) -> str:
    """The Certifier spelling of the organization's id, as its did:web names it."""
    response = issuer.get("/v1/issuer")
    response.raise_for_status()
    return str(response.json()["id"]).rsplit(":", 1)[-1]


def fuzz(family: str, base_url: str, env: dict[str, str], reports: Path) -> int:
    """Both runs of one family: the seeded phases, then the stateful one; 0 if neither found."""
    print(f"\n== fuzzing the {family} API ==", flush=True)
    started = time.monotonic()
    seeded_config = reports / "seeded.toml"
    seeded_config.write_text(CONFIG.read_text() + SEEDED.format(**env))
    codes = []
    for phases, seeded in PHASES.items():
        config = seeded_config if seeded else CONFIG
        report = reports / f"{family}-{phases.replace(',', '-')}.xml"
        codes.append(run_schemathesis(family, base_url, env, config, phases, report))
    print(f"== {family}: {codes} in {time.monotonic() - started:.0f} s ==", flush=True)
    return max(codes)


def run_schemathesis(
    family: str, base_url: str, env: dict[str, str], config: Path, phases: str, report: Path
) -> int:
    command = [
        SCHEMATHESIS,
        "--config-file",
        str(config),
        "run",
        f"{base_url}/openapi.json",
        "--checks",
        "all",
        "--phases",
        phases,
        "--max-examples",
        os.environ.get("FUZZ_EXAMPLES", "25"),
        "--include-path-regex",
        FAMILIES[family],
        # One worker: with two threads, hypothesis's lambda descriptions meet CPython 3.11's
        # thread-unsafe AST recursion counter ("AST constructor recursion depth mismatch",
        # python/cpython#106905) and report it as a finding in Laurel.
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--report",
        "junit",
        "--report-junit-path",
        str(report),
    ]
    for header in HEADERS[family]:
        command += ["--header", header.format(**env)]
    if seed := os.environ.get("FUZZ_SEED"):
        command += ["--seed", seed]
    try:
        return subprocess.run(
            command,
            env=env,
            cwd=report.parent,  # schemathesis keeps its cache (`st replay`) in the cwd
            timeout=max(1.0, DEADLINE - time.monotonic()),
        ).returncode
    except subprocess.TimeoutExpired:
        print(f"the {family} run ({phases}) was stopped: FUZZ_TIMEOUT is spent", flush=True)
        return 1


def main() -> int:
    families = os.environ.get("FUZZ_FAMILIES", ",".join(FAMILIES)).split(",")
    with tempfile.TemporaryDirectory(prefix="laurel-fuzz-") as name:
        folder = Path(name)
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        env = server_environment(folder, port)
        run_cli(env, "db", "upgrade")
        issuer_token, personal_token, _template_id = run_cli(env, "demo").splitlines()
        log = (folder / "server.log").open("wb")
        server = subprocess.Popen([*LAUREL, "serve"], env=env, stdout=log, stderr=log)
        try:
            wait_until_serving(base_url, server)
            fuzz_env = {
                **env,
                **seed(base_url, issuer_token, personal_token),
                "LAUREL_FUZZ_ISSUER_TOKEN": issuer_token,
                "LAUREL_FUZZ_CREDLY_KEY": base64.b64encode(issuer_token.encode()).decode(),
                "LAUREL_FUZZ_PERSONAL_TOKEN": personal_token,
                "LAUREL_FUZZ_VERSION": VERSION,
            }
            reports = ROOT / ".artifacts" / "fuzz"
            reports.mkdir(parents=True, exist_ok=True)
            failed = [
                family for family in families if fuzz(family, base_url, fuzz_env, reports) != 0
            ]
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
        errors = (folder / "server.log").read_text(errors="replace")
        if "Traceback" in errors:
            print("\nthe server logged tracebacks:\n" + errors[-20_000:], flush=True)
            failed.append("server")
    if failed:
        print(f"\nfuzz: findings in {', '.join(failed)} (reports in .artifacts/fuzz/)")
        return 1
    print("\nfuzz: no findings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
