"""`make bench-nodes`: the throughput of one `laurel serve` against two, on one PostgreSQL database.

It migrates a fresh PostgreSQL database, creates an organization and a token with the CLI and a
design and a credential template through the API, then loads with wrk, in the same run:
  - GET /healthz                          the hello-world reference, same app, same middleware
  - GET /v1/groups/{id}                   a cheap authenticated read
  - POST /v1/credentials/create-issue-send
through one server (one wrk, all connections) and through two servers on two ports (one wrk per
server, half the connections each: the same load, spread as a balancer would), in turn. Both
servers share the database and, when reachable, Redis for the rate limit, as several nodes do;
no delivery worker runs (the API alone, as in `make bench`). The figures go to the "Several
nodes" section of docs/benchmarks.md.
"""

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass

import asyncpg
import httpx
import redis

from run import (  # bench/run.py: this script's folder is on sys.path
    CONNECTIONS,
    DOCS,
    DURATION,
    ISSUE_SCRIPT,
    LAUREL,
    POSTGRES_ADMIN_URL,
    ROOT,
    SVG,
    VERSION,
    RouteFigures,
    _parse,
    _postgres,
    run_cli,
)

PORTS = (8771, 8772)
ROUNDS = 2
REDIS_URL = os.environ.get("LAUREL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
BEGIN, END = "<!-- bench:nodes:begin -->", "<!-- bench:nodes:end -->"


@dataclass
class Compared:
    route: str
    one: RouteFigures
    two: RouteFigures

    @property
    def ratio(self) -> float:
        return self.two.requests_per_second / self.one.requests_per_second


def wrk_spread(route: str, urls: list[str], headers: dict[str, str], script: str) -> RouteFigures:
    """Load `urls` at once, one wrk each, sharing the connections and two threads between them;
    their requests/s summed, the worst of their latencies."""
    connections = CONNECTIONS // len(urls)
    threads = max(1, 2 // len(urls))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)

    def command(url: str, duration: str) -> list[str]:
        options = [f"-t{threads}", f"-c{connections}", f"-d{duration}", "--latency", "-s", lua.name]
        for name, value in headers.items():
            options += ["-H", f"{name}: {value}"]
        return ["wrk", *options, url]

    try:
        # A short warm-up first, so that caches and connection pools are hot.
        warmups = [subprocess.Popen(command(url, "2s"), stdout=subprocess.DEVNULL) for url in urls]
        for warming in warmups:
            warming.wait()
        runs = [
            subprocess.Popen(command(url, DURATION), stdout=subprocess.PIPE, text=True)
            for url in urls
        ]
        outputs = [run.communicate()[0] for run in runs]
    finally:
        os.unlink(lua.name)
    results = [_parse(route, output) for output in outputs]
    return RouteFigures(
        route=route,
        requests_per_second=sum(r.requests_per_second for r in results),
        p50_ms=max(r.p50_ms for r in results),
        p99_ms=max(r.p99_ms for r in results),
        errors=sum(r.errors for r in results),
    )


def wait_until_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if server.poll() is not None:
            sys.exit(f"laurel serve on {base} exited")
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    sys.exit(f"laurel serve on {base} was not ready")


def redis_reachable() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping())
    except (OSError, redis.RedisError):
        return False


def measure(database_url: str, shared_redis: bool) -> list[Compared]:
    env = {
        **os.environ,
        "LAUREL_DATABASE_URL": database_url,
        "LAUREL_RATE_LIMIT": "100000000/minute",
        "LAUREL_RUN_WORKER_IN_PROCESS": "false",
        "LAUREL_PUBLIC_URL": "http://laurel.bench.test",
        "LAUREL_LOG_LEVEL": "WARNING",
    }
    if shared_redis:
        env["LAUREL_REDIS_URL"] = REDIS_URL
    run_cli(env, "db", "upgrade")
    organization = run_cli(env, "orgs", "create", "Bench", "--plan", "premium")
    token = run_cli(env, "tokens", "create", "--org", organization)
    headers = {"Authorization": f"Bearer {token}", "Certifier-Version": VERSION}
    bases = [f"http://127.0.0.1:{port}" for port in PORTS]
    servers: list[subprocess.Popen[bytes]] = []

    def start_server(n: int) -> None:
        with (ROOT / "bench" / f".nodes-server-{n}.log").open("w") as log:
            server_env = {**env, "LAUREL_PORT": str(PORTS[n])}
            servers.append(
                subprocess.Popen([*LAUREL, "serve"], env=server_env, stdout=log, stderr=log)
            )
        wait_until_ready(bases[n], servers[n])

    try:
        start_server(0)
        design = httpx.post(
            f"{bases[0]}/v1/designs",
            headers=headers,
            json={"name": "Bench", "type": "certificate", "svg": SVG},
        ).json()["id"]
        group = httpx.post(
            f"{bases[0]}/v1/groups", headers=headers, json={"name": "Bench", "designIds": [design]}
        ).json()["id"]
        routes = [
            ("GET /healthz (hello world)", "/healthz", {}, ""),
            ("GET /v1/groups/{id}", f"/v1/groups/{group}", headers, ""),
            (
                "POST /v1/credentials/create-issue-send",
                "/v1/credentials/create-issue-send",
                headers,
                ISSUE_SCRIPT % group,
            ),
        ]
        start_server(1)  # idle while one server is measured: its lease renewals cost nothing
        compared = []
        for name, path, route_headers, script in routes:
            one, two = [], []
            # One and two servers in turn, twice: a load that other programs put on the machine
            # meanwhile falls on both; the better of each pair is kept.
            for _ in range(ROUNDS):
                one.append(wrk_spread(name, [bases[0] + path], route_headers, script))
                two.append(wrk_spread(name, [b + path for b in bases], route_headers, script))
            compared.append(Compared(name, _best(one), _best(two)))
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
    return compared


def _best(results: list[RouteFigures]) -> RouteFigures:
    return max(results, key=lambda result: result.requests_per_second)


def load_average() -> str:
    """The machine's load averages (1, 5, 15 minutes): other programs share the cores."""
    return ", ".join(f"{figure:.1f}" for figure in os.getloadavg())


def report(compared: list[Compared], shared_redis: bool, load_before: str) -> str:
    machine = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
    limiter = "Redis (shared rate limit)" if shared_redis else "in memory (Redis unreachable)"
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {machine}, load average before the run "
        f"{load_before} and after it {load_average()}; PostgreSQL 15 (local), rate limit "
        f"counted in {limiter}; each `laurel serve` "
        f"one process, no delivery worker; wrk on the same machine, {CONNECTIONS} connections "
        f"in all (two servers: {CONNECTIONS // 2} each), {DURATION} per run; one and two servers "
        f"measured in turn, {ROUNDS} times each, the best run of each kept.",
        "",
        "| route | one server req/s | two servers req/s | two / one | p99 ms one | p99 ms two "
        "| errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    hello = compared[0]
    for c in compared:
        lines.append(
            f"| {c.route} | {c.one.requests_per_second:,.0f} | {c.two.requests_per_second:,.0f} "
            f"| {c.ratio:.2f} | {c.one.p99_ms:.1f} | {c.two.p99_ms:.1f} "
            f"| {c.one.errors + c.two.errors} |"
        )
    shares = [
        f"{c.route.split(' (')[0]} {c.one.requests_per_second / hello.one.requests_per_second:.0%}"
        f" (one) / {c.two.requests_per_second / hello.two.requests_per_second:.0%} (two)"
        for c in compared[1:]
    ]
    lines += ["", f"Against the hello-world route of the same run: {'; '.join(shares)}."]
    return "\n".join(lines) + "\n"


def write_docs(section: str) -> None:
    text = DOCS.read_text()
    if BEGIN not in text:
        sys.exit(f"docs/benchmarks.md has no {BEGIN} marker: add a 'Several nodes' section")
    before, rest = text.split(BEGIN, 1)
    _, after = rest.split(END, 1)
    DOCS.write_text(f"{before}{BEGIN}\n{section}{END}{after}")


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    shared_redis = redis_reachable()
    load_before = load_average()
    name = f"laurel_bench_nodes_{uuid.uuid4().hex[:8]}"
    try:
        asyncio.run(_postgres(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError) as error:
        sys.exit(f"PostgreSQL is needed: {error}")
    try:
        compared = measure(f"{POSTGRES_ADMIN_URL.rpartition('/')[0]}/{name}", shared_redis)
    finally:
        asyncio.run(_postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    section = report(compared, shared_redis, load_before)
    print(section)
    write_docs(section)


if __name__ == "__main__":
    main()
