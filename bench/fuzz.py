"""`make fuzz`: schemathesis against a running Laurel, both API families, every check.

It migrates a fresh SQLite database in a temporary folder, runs `laurel demo` for an issuer
token and a records personal token, starts `laurel serve` on a free port, and runs schemathesis
(`--checks all`) once per API family, with the family's credentials (bench/fuzz.toml says which
checks are configured and why). Any finding fails the run.

    FUZZ_EXAMPLES   test cases per operation and phase (default 25)
    FUZZ_TIMEOUT    seconds one family may take before the run fails (default 900)
    FUZZ_SEED       a seed to reproduce a run (schemathesis prints the one it used)
    FUZZ_FAMILIES   `certifier,records` (default both)

Nothing leaves this machine: the server delivers no emails or webhooks (no worker runs), does
not resolve the hostnames of the webhook URLs it is sent, and fetches no remote issuers.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
CONFIG = Path(__file__).with_name("fuzz.toml")
BIN = Path(sys.executable).parent
LAUREL = [str(BIN / "laurel")]
SCHEMATHESIS = [str(BIN / "schemathesis"), "--config-file", str(CONFIG), "run"]
VERSION = "2022-10-26"

# Which operations belong to which family; the records family also carries the OAuth routes,
# which sign its users in.
FAMILIES = {
    "certifier": "^/(?!v1/(me|certifications|organizations|qualification-results)|auth/)",
    "records": "^/(v1/(me|certifications|organizations|qualification-results)|auth/)",
}


# Each family's credentials (and the Certifier family's version header), on every request.
HEADERS = {
    "certifier": [
        "Authorization: Bearer {LAUREL_FUZZ_ISSUER_TOKEN}",
        "Certifier-Version: {LAUREL_FUZZ_VERSION}",
    ],
    "records": ["Authorization: Bearer {LAUREL_FUZZ_PERSONAL_TOKEN}"],
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


def wait_until_serving(base_url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"laurel serve exited with {server.returncode}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("laurel serve did not answer /healthz within 30 s")


def organization_uuid(base_url: str, personal_token: str) -> str:
    me = httpx.get(f"{base_url}/v1/me", headers={"Authorization": f"Bearer {personal_token}"})
    me.raise_for_status()
    return str(me.json()["data"]["organizations"][0]["id"])


def fuzz(family: str, base_url: str, env: dict[str, str], report: Path) -> int:
    command = [
        *SCHEMATHESIS,
        f"{base_url}/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        os.environ.get("FUZZ_EXAMPLES", "25"),
        "--include-path-regex",
        FAMILIES[family],
        "--workers",
        "2",
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
    print(f"\n== fuzzing the {family} API ==", flush=True)
    started = time.monotonic()
    try:
        code = subprocess.run(
            command,
            env=env,
            cwd=report.parent,  # schemathesis keeps its cache (`st replay`) in the cwd
            timeout=float(os.environ.get("FUZZ_TIMEOUT", "900")),
        ).returncode
    except subprocess.TimeoutExpired:
        print(f"the {family} run passed FUZZ_TIMEOUT", flush=True)
        code = 1
    print(f"== {family}: exit {code} in {time.monotonic() - started:.0f} s ==", flush=True)
    return code


def main() -> int:
    families = os.environ.get("FUZZ_FAMILIES", "certifier,records").split(",")
    with tempfile.TemporaryDirectory(prefix="laurel-fuzz-") as name:
        folder = Path(name)
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        env = server_environment(folder, port)
        run_cli(env, "db", "upgrade")
        issuer_token, personal_token = run_cli(env, "demo").splitlines()
        log = (folder / "server.log").open("wb")
        server = subprocess.Popen([*LAUREL, "serve"], env=env, stdout=log, stderr=log)
        try:
            wait_until_serving(base_url, server)
            fuzz_env = {
                **env,
                "LAUREL_FUZZ_ISSUER_TOKEN": issuer_token,
                "LAUREL_FUZZ_PERSONAL_TOKEN": personal_token,
                "LAUREL_FUZZ_ORGANIZATION": organization_uuid(base_url, personal_token),
                "LAUREL_FUZZ_VERSION": VERSION,
            }
            reports = ROOT / ".artifacts" / "fuzz"
            reports.mkdir(parents=True, exist_ok=True)
            failed = [
                family
                for family in families
                if fuzz(family, base_url, fuzz_env, reports / f"{family}.xml") != 0
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
