"""`make bench`: load a real Laurel server with wrk and compare routes with a hello-world route.

For each database (SQLite always; PostgreSQL when reachable) it migrates a fresh database,
creates an organization, a token, a design and a template with the real CLI and API, starts
`laurel serve` (one worker), then runs wrk with 32 connections on:
  - GET /healthz            the hello-world reference, same app, same middleware
  - GET /v1/groups/{id}     read a credential template
  - POST /v1/groups         create a credential template
  - POST /v1/credentials/create-issue-send
  - GET /credentials/{publicId}            the wallet page (Accept: text/html)
  - GET /credentials/{publicId}/image.png  the certificate's PNG, from the render cache
  - POST /v1/certifications the records API's create (seed 004), with a personal token
and prints requests/s and p50/p99 latency; then times CSV imports, the records API's gap report
on generated organizations (bench/records.py), signing (bench/signing.py) and cold renders
(bench/rendering.py), the web app's gap report page at 10,000 members and its credentials table
and home page at 100,000 credentials beside hello world (bench/app_pages.py), and Open edX's
awards through the Credly-shaped API (bench/openedx.py), and writes all
of it into docs/benchmarks.md.
"""

import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

import app_pages
import openedx
import records  # bench/records.py, rendering.py, signing.py: this script's folder is on sys.path
import rendering
import signing
from laurel.kit.ids import uuid_of

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "benchmarks.md"
LAUREL = [sys.executable, "-m", "laurel"]
VERSION = "2022-10-26"
CONNECTIONS = 32
DURATION = os.environ.get("BENCH_DURATION", "10s")
PORT = 8765
POSTGRES_ADMIN_URL = os.environ.get(
    "LAUREL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
SVG = rendering.CERTIFICATE  # a typical certificate: the one the cold renders draw

POST_SCRIPT = """
wrk.method = "POST"
wrk.body = '{"name": "Benchmark template", "designIds": ["%s"]}'
wrk.headers["Content-Type"] = "application/json"
"""
ISSUE_SCRIPT = """
wrk.method = "POST"
wrk.body = '{"groupId": "%s", "recipient": {"name": "Ada Lovelace", "email": "ada@example.org"}}'
wrk.headers["Content-Type"] = "application/json"
"""
CERTIFICATION_SCRIPT = """
wrk.method = "POST"
wrk.body = '{"certification_type_id": "%s", "source": "api", "issued_on": "2026-01-05", '
  .. '"expires_on": "2029-01-05", "issuer_name": "Bench"}'
wrk.headers["Content-Type"] = "application/json"
"""
GAP_MEMBERS = tuple(
    int(n) for n in os.environ.get("BENCH_GAP_MEMBERS", "1000,10000,100000").split(",")
)
IMPORT_SIZES = [int(n) for n in os.environ.get("BENCH_IMPORT_ROWS", "20000,100000").split(",")]


@dataclass
class RouteFigures:
    route: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


@dataclass
class ImportFigures:
    rows: int
    seconds: float
    peak_mib: float


def _to_ms(text: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    if match is None:
        raise ValueError(f"unexpected wrk latency {text!r}")
    value, unit = match.groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def wrk(route: str, url: str, headers: dict[str, str], script: str | None = None) -> RouteFigures:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", url]
    for name, value in headers.items():
        command[1:1] = ["-H", f"{name}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script or "")
    command[1:1] = ["-s", lua.name]
    # A short warm-up run first, so that caches and JIT-free Python paths are hot.
    subprocess.run([*command[:-2], "-d2s", url], capture_output=True, check=True)
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    os.unlink(lua.name)
    try:
        return _parse(route, output)
    except ValueError as error:
        raise RuntimeError(f"could not read wrk's output for {route}:\n{output}") from error


def _field(pattern: str, output: str) -> str:
    """The first group of a line wrk always prints; ValueError when it is not there."""
    found = re.search(pattern, output, re.M)
    if found is None:
        raise ValueError(f"no match for {pattern!r}")
    return found[1]


def _parse(route: str, output: str) -> RouteFigures:
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    errors = int(non_2xx[1]) if non_2xx else 0
    if socket_errors:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors[1]))
    return RouteFigures(
        route=route,
        requests_per_second=float(_field(r"Requests/sec:\s+([\d.]+)", output)),
        p50_ms=_to_ms(_field(r"^\s+50%\s+(\S+)", output)),
        p99_ms=_to_ms(_field(r"^\s+99%\s+(\S+)", output)),
        errors=errors,
    )


def run_cli(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [*LAUREL, *args], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


Measured = tuple[list[RouteFigures], list[ImportFigures], list[records.GapFigures]]


def records_caller(env: dict[str, str], organization: str) -> str:
    """An admin of the organization with a personal token, made with the real CLI."""
    user = run_cli(env, "users", "create", "bench@example.org", "--name", "Bench")
    run_cli(env, "users", "join", user, "--org", organization, "--role", "admin", "--primary")
    return run_cli(env, "users", "token", user)


def bench_database(label: str, database_url: str) -> Measured:
    env = {
        **os.environ,
        "LAUREL_DATABASE_URL": database_url,
        "LAUREL_RATE_LIMIT": "100000000/minute",
        # The API alone: at scale workers run as their own processes (signing is measured apart).
        "LAUREL_RUN_WORKER_IN_PROCESS": "false",
        "LAUREL_PORT": str(PORT),
    }
    run_cli(env, "db", "upgrade")
    organization = run_cli(env, "orgs", "create", "Bench", "--plan", "premium")
    token = run_cli(env, "tokens", "create", "--org", organization)
    personal = {"Authorization": f"Bearer {records_caller(env, organization)}"}
    log = open(ROOT / "bench" / f".server-{label}.log", "w")  # noqa: SIM115
    server = subprocess.Popen([*LAUREL, "serve"], env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{PORT}"
    headers = {"Authorization": f"Bearer {token}", "Certifier-Version": VERSION}
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        design = httpx.post(
            f"{base}/v1/designs",
            headers=headers,
            json={"name": "Bench", "type": "certificate", "svg": SVG},
        ).json()["id"]
        group = httpx.post(
            f"{base}/v1/groups", headers=headers, json={"name": "Bench", "designIds": [design]}
        ).json()["id"]
        certification_type = httpx.post(
            f"{base}/v1/organizations/{uuid_of(organization)}/certification-types",
            headers=personal,
            json={"slug": "bls", "title": "Basic Life Support"},
        ).json()["data"]["id"]
        public_id = httpx.post(
            f"{base}/v1/credentials/create-issue-send",
            headers=headers,
            json={
                "groupId": group,
                "recipient": {"name": "Ada Lovelace", "email": "a@example.org"},
            },
        ).json()["publicId"]
        wallet = f"{base}/credentials/{public_id}"
        httpx.get(f"{wallet}/image.png").raise_for_status()  # rendered once; then cached
        routes = [
            wrk("GET /healthz (hello world)", f"{base}/healthz", {}),
            wrk("GET /v1/groups/{id}", f"{base}/v1/groups/{group}", headers),
            wrk("POST /v1/groups", f"{base}/v1/groups", headers, POST_SCRIPT % design),
            wrk(
                "POST /v1/credentials/create-issue-send",
                f"{base}/v1/credentials/create-issue-send",
                headers,
                ISSUE_SCRIPT % group,
            ),
            wrk("GET /credentials/{publicId} (wallet page)", wallet, {"Accept": "text/html"}),
            wrk("GET /credentials/{publicId}/image.png (cached)", f"{wallet}/image.png", {}),
            wrk(
                "POST /v1/certifications",
                f"{base}/v1/certifications",
                personal,
                CERTIFICATION_SCRIPT % certification_type,
            ),
        ]
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
    imports = [bench_import(env, group, rows) for rows in IMPORT_SIZES]
    return routes, imports, records.measure_gap_reports(database_url, GAP_MEMBERS)


MEASURE_CHILD = """
import resource, subprocess, sys, time
started = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
elapsed = time.perf_counter() - started
print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def bench_import(env: dict[str, str], group: str, rows: int) -> ImportFigures:
    """`laurel credentials import --issue` of a generated CSV, timed, with its peak memory."""
    with tempfile.TemporaryDirectory() as workdir:
        csv_path = Path(workdir) / "people.csv"
        with csv_path.open("w") as handle:
            handle.write("name,email,issue_date,expiry_date\n")
            for n in range(rows):
                handle.write(f"Person {n},person{n}@example.org,2024-05-01,2027-05-01\n")
        command = [*LAUREL, "credentials", "import", str(csv_path), "--group", group, "--issue"]
        output = subprocess.run(
            [sys.executable, "-c", MEASURE_CHILD, *command],
            env=env, capture_output=True, text=True, check=True,
        ).stdout.split()  # fmt: skip
    return ImportFigures(rows, float(output[0]), int(output[1]) / 1024)


async def _postgres(command: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    try:
        await connection.execute(command)
    finally:
        await connection.close()


def report(label: str, measured: Measured) -> str:
    results, imports, gaps = measured
    hello = results[0].requests_per_second
    lines = [
        f"### {label}",
        "",
        "| route | requests/s | vs hello world | p50 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.route} | {r.requests_per_second:,.0f} | "
            f"{r.requests_per_second / hello:.0%} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | {r.errors} |"
        )
    lines += [
        "",
        "| `laurel credentials import --issue` | seconds | credentials/s | peak memory |",
        "|---|---:|---:|---:|",
    ]
    for figures in imports:
        lines.append(
            f"| {figures.rows:,} rows | {figures.seconds:.1f} | "
            f"{figures.rows / figures.seconds:,.0f} | {figures.peak_mib:.0f} MiB |"
        )
    return "\n".join(lines) + "\n\n" + records.report(gaps)


def write_docs(section: str) -> None:
    begin, end = "<!-- bench:groups:begin -->", "<!-- bench:groups:end -->"
    text = DOCS.read_text() if DOCS.exists() else f"# Benchmarks\n\n{begin}\n{end}\n"
    before, rest = text.split(begin, 1)
    _, after = rest.split(end, 1)
    DOCS.write_text(f"{before}{begin}\n{section}{end}{after}")


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    sections = []
    with tempfile.TemporaryDirectory() as workdir:
        results = bench_database("sqlite", f"sqlite:///{workdir}/bench.db")
        sections.append(report("SQLite (embedded, the `make serve` default)", results))
    name = f"laurel_bench_{uuid.uuid4().hex[:8]}"
    try:
        asyncio.run(_postgres(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError) as error:
        print(f"PostgreSQL skipped: {error}")
    else:
        try:
            base = POSTGRES_ADMIN_URL.rpartition("/")[0]
            results = bench_database("postgresql", f"{base}/{name}")
            sections.append(report("PostgreSQL 15 (local)", results))
        finally:
            asyncio.run(_postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    sections.append(signing.report(signing.measure()))
    sections.append(rendering.report(rendering.measure()))
    sections.append(app_pages.report(app_pages.measure()))
    sections.append(openedx.report(openedx.measure()))
    machine = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
    header = (
        f"Measured {time.strftime('%Y-%m-%d')} on {machine}; one `laurel serve` worker "
        "(no in-process delivery worker), wrk with "
        f"{CONNECTIONS} connections and 2 threads on the same machine, {DURATION} per route.\n\n"
    )
    section = header + "\n".join(sections)
    print(section)
    write_docs(section)


if __name__ == "__main__":
    main()
