"""Open edX's awards through the Credly-shaped API, beside the hello-world route.

`measure()` starts `laurel serve` (one worker, no in-process delivery worker) on a fresh SQLite
database, makes an organization, a token and a badge template with the real CLI and API, then:
  - runs wrk on `GET /healthz` and on `POST /credly/v1/organizations/{uuid}/badges/` (each
    request a new recipient, so every one issues a credential), with Open edX's exact headers;
  - sends a burst of 500 awards at once (500 connections), as a course's end can, and times
    each: Open edX gives up after 10 s (`REQUESTS_TIMEOUT`), so the p99 is what matters.
Run alone (`python bench/openedx.py`) it prints its section; `bench/run.py` includes it.
"""

import asyncio
import base64
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from laurel.kit.ids import uuid_of

ROOT = Path(__file__).resolve().parents[1]
LAUREL = [sys.executable, "-m", "laurel"]
PORT = 8767
VERSION = "2022-10-26"
CONNECTIONS = 32
DURATION = os.environ.get("BENCH_DURATION", "10s")
BURST = int(os.environ.get("BENCH_OPENEDX_BURST", "500"))
OPEN_EDX_TIMEOUT_S = 10.0
BADGE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200"><circle r="90"/></svg>'
)
# Each request a new recipient (a 200 would be the existing badge, not an award): `n` counts per
# thread; the tag, the thread's number and the start second, keeps threads and runs apart.
AWARD_SCRIPT = """
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("number", threads)
end
local n = 0
local tag = nil
request = function()
  if tag == nil then tag = os.time() * 100 + number end
  n = n + 1
  local body = string.format('{"recipient_email": "learner%%d-%%d@example.org", '
    .. '"issued_to_first_name": "Ada", "issued_to_last_name": "Lovelace", '
    .. '"badge_template_id": "%s", "issued_at": "2026-11-20 09:15:00 +0000"}', tag, n)
  return wrk.format("POST", nil, nil, body)
end
"""


@dataclass(frozen=True)
class Throughput:
    route: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


@dataclass(frozen=True)
class Burst:
    awards: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: int


def _run_cli(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [*LAUREL, *args], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


def _wrk(route: str, url: str, headers: dict[str, str], script: str = "") -> Throughput:
    # run.py's parser and wrk invocation, imported late: run.py imports this module.
    from run import _parse

    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", "-s", lua.name]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    subprocess.run([*command, "-d2s", url], capture_output=True, check=True)  # warm-up
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    os.unlink(lua.name)
    figures = _parse(route, output)
    return Throughput(
        route, figures.requests_per_second, figures.p50_ms, figures.p99_ms, figures.errors
    )


async def _award_once(host: str, port: int, path: str, headers: dict[str, str], body: bytes) -> int:
    """One award over its own connection, written by hand: a Python HTTP client would spend
    more of the two cores than the server it measures (Open edX's workers are elsewhere)."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{head}"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        status_line = await reader.readline()
        await reader.read()  # the rest, until the server closes
        return int(status_line.split()[1])
    finally:
        writer.close()


async def _burst(base: str, path: str, headers: dict[str, str], template: str) -> Burst:
    host, port = base.removeprefix("http://").split(":")

    async def award(n: int) -> tuple[float, bool]:
        body = (
            f'{{"recipient_email": "burst{n}@example.org", "issued_to_first_name": "Grace", '
            f'"issued_to_last_name": "Hopper", "badge_template_id": "{template}", '
            f'"issued_at": "2026-11-20 09:15:00 +0000"}}'
        ).encode()
        started = time.perf_counter()
        try:
            ok = await _award_once(host, int(port), path, headers, body) == 201
        except (OSError, ValueError, IndexError):
            ok = False
        return (time.perf_counter() - started) * 1000, ok

    started = time.perf_counter()
    results = await asyncio.gather(*(award(n) for n in range(BURST)))
    seconds = time.perf_counter() - started
    latencies = sorted(ms for ms, _ in results)
    return Burst(
        awards=BURST,
        seconds=seconds,
        p50_ms=statistics.median(latencies),
        p99_ms=latencies[max(0, int(len(latencies) * 0.99) - 1)],
        max_ms=latencies[-1],
        errors=sum(1 for _, ok in results if not ok),
    )


def measure() -> tuple[list[Throughput], Burst]:
    with tempfile.TemporaryDirectory() as workdir:
        env = {
            **os.environ,
            "LAUREL_DATABASE_URL": f"sqlite:///{workdir}/openedx.db",
            "LAUREL_RATE_LIMIT": "100000000/minute",
            "LAUREL_RUN_WORKER_IN_PROCESS": "false",
            "LAUREL_PORT": str(PORT),
        }
        _run_cli(env, "db", "upgrade")
        organization = _run_cli(env, "orgs", "create", "Bench", "--plan", "premium")
        token = _run_cli(env, "tokens", "create", "--org", organization)
        log = open(ROOT / "bench" / ".server-openedx.log", "w")  # noqa: SIM115
        server = subprocess.Popen([*LAUREL, "serve"], env=env, stdout=log, stderr=log)
        base = f"http://127.0.0.1:{PORT}"
        try:
            for _ in range(100):
                try:
                    if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            certifier = {"Authorization": f"Bearer {token}", "Certifier-Version": VERSION}
            design = httpx.post(
                f"{base}/v1/designs",
                headers=certifier,
                json={"name": "Bench", "type": "badge", "svg": BADGE_SVG},
            ).json()["id"]
            group = httpx.post(
                f"{base}/v1/groups",
                headers=certifier,
                json={"name": "Bench", "designIds": [design]},
            ).json()["id"]
            template = uuid_of(group)
            open_edx = {
                "Accept": "application/json",
                "Content-Type": "application/json",
                "Authorization": "Basic " + base64.b64encode(token.encode()).decode(),
            }
            path = f"/credly/v1/organizations/{uuid_of(organization)}/badges/"
            badges = f"{base}{path}"
            routes = [
                _wrk("GET /healthz (hello world)", f"{base}/healthz", {}),
                _wrk(
                    "POST /credly/v1/organizations/{org}/badges/ (a new award each)",
                    badges,
                    open_edx,
                    AWARD_SCRIPT % template,
                ),
            ]
            burst = asyncio.run(_burst(base, path, open_edx, template))
        finally:
            server.terminate()
            server.wait(timeout=20)
            log.close()
    return routes, burst


def report(measured: tuple[list[Throughput], Burst]) -> str:
    routes, burst = measured
    hello = routes[0].requests_per_second
    lines = [
        "### Open edX awards (Credly-shaped API, SQLite)",
        "",
        "| route | requests/s | vs hello world | p50 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in routes:
        lines.append(
            f"| {r.route} | {r.requests_per_second:,.0f} | "
            f"{r.requests_per_second / hello:.0%} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | {r.errors} |"
        )
    lines += [
        "",
        f"A burst of {burst.awards} awards sent at once ({burst.awards} connections): all "
        f"answered in {burst.seconds:.1f} s; p50 {burst.p50_ms:,.0f} ms, p99 "
        f"{burst.p99_ms:,.0f} ms, slowest {burst.max_ms:,.0f} ms "
        f"({burst.p99_ms / 1000 / OPEN_EDX_TIMEOUT_S:.0%} of Open edX's 10 s timeout); "
        f"{burst.errors} errors.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    print(report(measure()))
