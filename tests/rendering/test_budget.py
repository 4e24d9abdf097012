"""Renders under a budget: a runaway design is killed and refused, the pool recovers and bounds
how many renders run at once, a page too large for the memory budget is refused, and no render
process outlives its pool, its API process, or `laurel serve`.

The runaway designs would render for minutes (2,000 QR codes or text boxes; 200 took ~6 s on the
machine of 2026-11-25): with a budget of a second or two, what is asserted is the clear error,
never a duration. Waits for a state (a render in flight, a process gone) have a generous bound
that only a hang reaches.
"""

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pymupdf
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from laurel.config import Environment, Settings
from laurel.db import Database
from laurel.kit.errors import InternalServerError, RenderUnavailable
from laurel.migrate import upgrade_database
from laurel.models import Design, Plan
from laurel.organizations.service import create_organization
from laurel.rendering.pool import RenderPool
from laurel.rendering.worker import RenderJob
from laurel.tokens.service import create_token
from tests.conftest import CertifierClient, Tenant
from tests.fixtures.processes import free_port

SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600">'
NAME = '<text x="400" y="300" font-size="40" text-anchor="middle">[recipient.name]</text>'
NORMAL = f"{SVG_OPEN}{NAME}<rect data-qr='1' x='650' y='450' width='100' height='100'/></svg>"
# Each passes today's save-time validation (well under 512 KiB, [recipient.name], nothing unsafe).
MANY_QR_CODES = SVG_OPEN + NAME + '<rect data-qr="1" width="600" height="600"/>' * 2000 + "</svg>"
MANY_TEXT_BOXES = (
    SVG_OPEN
    + "".join(
        f'<text x="{n % 700}" y="{20 + n % 560}" data-width="5" data-height="5">'
        "[recipient.name] [group.name]</text>"
        for n in range(2000)
    )
    + "</svg>"
)
# 6,000 pt square: a 12,000-pixel square PNG at 144 dpi, 432 MB of pixels before encoding.
HUGE_PAGE = f'<svg xmlns="http://www.w3.org/2000/svg" width="6000" height="6000">{NAME}</svg>'
URL = "http://laurel.test/credentials/5f0c9a52-1c51-4b44-9f0e-0a4b7c7f3e11"
BOUND = 60.0  # seconds: only a hang (or a runaway left running) reaches it


def _budget(settings: Settings, **changes: object) -> Settings:
    defaults: dict[str, object] = {
        "render_timeout_seconds": 2.0,
        "render_concurrency": 1,
        "render_queue_seconds": 10.0,
        "render_memory_mb": 1024,
    }
    return settings.model_copy(update=defaults | changes)


def _pool(app: FastAPI) -> RenderPool:
    pool: RenderPool = app.state.render_pool
    return pool


def _alive(pid: int) -> bool:
    """Whether the process runs (a zombie, dead but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


async def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + BOUND
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"still waiting after {BOUND:g} s for {what}")
        await asyncio.sleep(0.02)


async def _issued(
    api: CertifierClient, svg: str, database: Database, name: str = "Ada Lovelace"
) -> str:
    """The public id of a credential issued with a template of this one certificate design.

    The design is stored as given, as one saved before today's checks at save would be: those
    refuse the runaways here now, and a stored one must still render within its budget.
    """
    design = await api.request(
        "POST", "/v1/designs", json={"name": "D", "type": "certificate", "svg": NORMAL}
    )
    assert design.status_code == 200, design.text
    async with database.sessions() as session, session.begin():
        stored = update(Design).where(Design.id == design.json()["id"]).values(svg=svg)
        await session.execute(stored)
    group = await api.create_group(name="Financial Markets", designIds=[design.json()["id"]])
    credential = await api.request(
        "POST",
        "/v1/credentials/create-issue-send",
        json={"groupId": group["id"], "recipient": {"name": name, "email": "ada@example.org"}},
    )
    assert credential.status_code == 200, credential.text
    return str(credential.json()["publicId"])


def _assert_refused(response: httpx.Response, says: str) -> None:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "render_budget_exceeded"
    assert says in error["message"]


@pytest.fixture
def budget() -> dict[str, object]:
    """What a test changes of this module's budget (parametrize `budget` to change it)."""
    return {}


@pytest.fixture
def settings(settings: Settings, budget: dict[str, object]) -> Settings:
    return _budget(settings, **budget)


@pytest.mark.parametrize("runaway", [MANY_QR_CODES, MANY_TEXT_BOXES], ids=["qr", "text"])
async def test_a_runaway_design_is_killed_refused_remembered_and_the_pool_recovers(
    app: FastAPI, api: CertifierClient, runaway: str, database: Database
) -> None:
    pool = _pool(app)
    runaway_image = f"/credentials/{await _issued(api, runaway, database)}/image.png"
    normal_image = f"/credentials/{await _issued(api, NORMAL, database)}/image.png"

    request = asyncio.create_task(api.http.get(runaway_image))
    await _until(lambda: pool.busy == 1, "the runaway render to start")
    [worker] = pool.worker_pids
    _assert_refused(await request, "longer than 2 s")
    await _until(lambda: not _alive(worker), "the runaway's worker to be killed")

    normal = await api.http.get(normal_image)
    assert normal.status_code == 200 and normal.headers["content-type"] == "image/png"
    assert pymupdf.Pixmap(normal.content).width == 1600

    # Asked again, the runaway is refused from memory: no worker is needed (a closed pool
    # refuses to draw anything), and no budget is burnt again.
    await pool.close()
    _assert_refused(await api.http.get(runaway_image), "longer than 2 s")
    assert (await api.http.get(normal_image)).status_code == 200  # from the render cache


async def test_the_issuer_api_answers_the_refusal_in_its_envelope(
    api: CertifierClient, database: Database
) -> None:
    design = await api.request(
        "POST", "/v1/designs", json={"name": "D", "type": "certificate", "svg": NORMAL}
    )
    async with database.sessions() as session, session.begin():  # stored before today's checks
        runaway = update(Design).where(Design.id == design.json()["id"]).values(svg=MANY_QR_CODES)
        await session.execute(runaway)
    preview = await api.request("GET", f"/v1/designs/{design.json()['id']}/preview")
    _assert_refused(preview, "longer than 2 s")
    assert set(preview.json()["error"]) == {"code", "message"}


# A long time budget: the runaway holds the only worker while the second render waits in vain.
@pytest.mark.parametrize("budget", [{"render_queue_seconds": 0.2, "render_timeout_seconds": 30}])
async def test_a_render_finding_no_free_worker_in_time_gets_503_with_retry_after(
    app: FastAPI, api: CertifierClient, database: Database
) -> None:
    pool = _pool(app)
    runaway_image = f"/credentials/{await _issued(api, MANY_QR_CODES, database)}/image.png"
    normal_image = f"/credentials/{await _issued(api, NORMAL, database)}/image.png"

    runaway = asyncio.create_task(api.http.get(runaway_image))
    await _until(lambda: pool.busy == 1, "the runaway to take the only worker")
    busy = await api.http.get(normal_image)
    assert busy.status_code == 503, busy.text
    assert busy.json()["error"]["code"] == "render_unavailable"
    assert busy.headers["retry-after"] == "30"  # the time budget: every render is over by then
    await pool.close()  # shutting down ends the runaway at once, with a 503 too
    stopped = await runaway
    assert stopped.status_code == 503 and "shutting down" in stopped.json()["error"]["message"]


@pytest.mark.parametrize("budget", [{"render_queue_seconds": 60}])
async def test_renders_beyond_the_concurrency_wait_their_turn(
    app: FastAPI, api: CertifierClient, database: Database
) -> None:
    pool = _pool(app)  # one worker
    runaway_image = f"/credentials/{await _issued(api, MANY_QR_CODES, database)}/image.png"
    normal_image = f"/credentials/{await _issued(api, NORMAL, database)}/image.png"

    runaway = asyncio.create_task(api.http.get(runaway_image))
    await _until(lambda: pool.busy == 1, "the runaway to take the only worker")
    normal = asyncio.create_task(api.http.get(normal_image))
    _assert_refused(await runaway, "longer than 2 s")
    assert (await normal).status_code == 200  # it waited, then took the freed worker
    assert len(pool.worker_pids) == 1


# This failure is memory, not time: the time budget is out of the way.
@pytest.mark.parametrize("budget", [{"render_memory_mb": 256, "render_timeout_seconds": 60}])
async def test_a_page_too_large_for_the_memory_budget_is_refused(
    api: CertifierClient, database: Database
) -> None:
    public = f"/credentials/{await _issued(api, HUGE_PAGE, database)}"
    _assert_refused(await api.http.get(f"{public}/image.png"), "more than 256 MB")
    # The same page as vector PDF needs no pixels: it renders under the same budget.
    pdf = await api.http.get(f"{public}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    normal = await api.http.get(f"/credentials/{await _issued(api, NORMAL, database)}/image.png")
    assert normal.status_code == 200


async def test_closing_the_pool_kills_renders_in_flight() -> None:
    pool = RenderPool(concurrency=2, timeout_seconds=600, memory_mb=1024, queue_seconds=1)
    await pool.start()
    assert len(pool.worker_pids) == 2
    renders = [
        asyncio.create_task(
            pool.render(RenderJob("png", MANY_QR_CODES, {}, URL), key=str(n), design_id="d")
        )
        for n in range(2)
    ]
    await _until(lambda: pool.busy == 2, "both renders to start")
    workers = pool.worker_pids
    await pool.close()
    for render in renders:
        with pytest.raises(RenderUnavailable, match="shutting down"):
            await render
    assert [pid for pid in workers if _alive(pid)] == []
    assert pool.worker_pids == []


async def test_warming_up_beside_a_render_starts_no_more_workers_than_allowed() -> None:
    # Which of the two starts (warming's, the render's) ends first is up to the threads: each
    # round gives the interleaving that used to start a third worker an even chance.
    for n in range(10):
        pool = RenderPool(concurrency=2)
        try:
            warming = asyncio.create_task(pool.start())
            job = RenderJob("svg", NORMAL, {"recipient.name": "Ada"}, URL)
            await pool.render(job, key=str(n), design_id="d")
            await warming
            assert len(pool.worker_pids) == 2, f"round {n}"
        finally:
            await pool.close()


async def test_workers_are_recycled_after_their_share_of_renders() -> None:
    pool = RenderPool(concurrency=1, renders_per_worker=2)
    try:
        pids = []
        for n in range(3):
            job = RenderJob("pdf", NORMAL, {"recipient.name": f"Ada {n}"}, URL)
            assert (await pool.render(job, key=str(n), design_id="d")).startswith(b"%PDF")
            pids.append(pool.worker_pids)
        [first], retired, [second] = pids
        assert retired == [] and not _alive(first)  # gone after its second render
        assert second != first  # a new one drew the third
    finally:
        await pool.close()


async def test_a_failing_render_is_an_internal_error_not_a_refusal() -> None:
    pool = RenderPool(concurrency=1)
    try:
        broken = RenderJob("pdf", "<svg xmlns='http://www.w3.org/2000/svg'>", {}, URL)
        with pytest.raises(InternalServerError):
            await pool.render(broken, key="broken", design_id="d")
        job = RenderJob("pdf", NORMAL, {"recipient.name": "Ada"}, URL)
        assert (await pool.render(job, key="fine", design_id="d")).startswith(b"%PDF")
    finally:
        await pool.close()


SLOW_MAIN = f"""
import time

time.sleep(1)  # a main script slow to import: multiprocessing runs it again in each worker

import asyncio

from laurel.kit.errors import LaurelError
from laurel.rendering.pool import RenderPool
from laurel.rendering.worker import RenderJob


async def main():
    pool = RenderPool(concurrency=1, timeout_seconds=0.5)
    job = RenderJob("svg", {NORMAL!r}, {{"recipient.name": "Ada"}}, "{URL}")
    try:
        drawn = await pool.render(job, key="k", design_id="d")
        print("drawn" if b"Ada" in drawn else "wrong")
    except LaurelError as error:
        print(error.code)
    finally:
        await pool.close()


if __name__ == "__main__":
    asyncio.run(main())
"""


async def test_the_time_budget_counts_from_the_job_not_from_the_workers_start(
    tmp_path: Path,
) -> None:
    script = tmp_path / "slow_main.py"
    script.write_text(SLOW_MAIN)
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(script), stdout=subprocess.PIPE
    )
    output, _ = await asyncio.wait_for(process.communicate(), BOUND)
    assert output.decode().strip().splitlines()[-1] == "drawn"  # after any log lines


ORPHAN = f"""
import asyncio, os, sys
from laurel.rendering.pool import RenderPool
from laurel.rendering.worker import RenderJob

async def main():
    pool = RenderPool(concurrency=1, timeout_seconds=3)
    render = asyncio.create_task(
        pool.render(RenderJob("png", sys.stdin.read(), {{}}, "{URL}"), key="k", design_id="d")
    )
    while pool.busy == 0:
        await asyncio.sleep(0.01)
    print(pool.worker_pids[0], flush=True)
    await asyncio.sleep(0.3)  # the render is under way
    os.kill(os.getpid(), 9)  # the API process dies (OOM killer, SIGKILL) mid-render

asyncio.run(main())
"""


async def test_a_worker_whose_api_process_died_mid_render_dies_within_its_budget() -> None:
    """The orphan's own CPU cap (RLIMIT_CPU) ends it: nothing is left at 100% CPU for ever."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", ORPHAN, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(MANY_QR_CODES.encode())
    process.stdin.close()
    worker = int(await asyncio.wait_for(process.stdout.readline(), BOUND))
    await _until(lambda: not _alive(process.pid), "the API process to die")
    assert _alive(worker)  # orphaned, still drawing
    await _until(lambda: not _alive(worker), "the orphaned worker to die")
    # (asyncio's wait also waits for the pipes, which the orphan held open.)
    assert await asyncio.wait_for(process.wait(), BOUND) == -signal.SIGKILL


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _grandchildren(pid: int) -> list[int]:
    return [grandchild for child in _children(pid) for grandchild in _children(child)]


def _descendants(pid: int) -> list[int]:
    children = _children(pid)
    return children + [grandchild for child in children for grandchild in _descendants(child)]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
async def test_laurel_serve_exits_on_sigterm_with_a_runaway_render_in_flight(
    tmp_path: Path,
) -> None:
    database_url = f"sqlite:///{tmp_path / 'laurel.db'}"
    await asyncio.to_thread(upgrade_database, database_url)
    base_url = f"http://127.0.0.1:{free_port()}"
    env = {
        **os.environ,
        "LAUREL_ENV": "testing",
        "LAUREL_DATABASE_URL": database_url,
        "LAUREL_PUBLIC_URL": base_url,
        "LAUREL_PORT": base_url.rsplit(":", 1)[1],
        "LAUREL_RATE_LIMIT": "100000/minute",
        "LAUREL_LOG_LEVEL": "WARNING",
        "LAUREL_RENDER_TIMEOUT_SECONDS": "10",
    }
    server = subprocess.Popen(  # noqa: ASYNC220 (started once, waited for below)
        [sys.executable, "-m", "laurel", "serve"], env=env, cwd=tmp_path
    )
    try:
        settings = Settings(env=Environment.testing, database_url=database_url)
        database = Database.from_settings(settings)
        async with database.sessions() as session, session.begin():
            organization = await create_organization(session, "Acme Academy", Plan.premium)
            token = await create_token(session, organization.id, "tests")
        async with httpx.AsyncClient(base_url=base_url, timeout=BOUND) as http:
            await _until_serving(http, server)
            api = CertifierClient(http, Tenant(organization.id, token.secret))
            image = f"/credentials/{await _issued(api, MANY_QR_CODES, database)}/image.png"
            request = asyncio.create_task(http.get(image))
            # The render under way: a worker (a child of the server's forkserver) has been
            # drawing for a while.
            await _until(
                lambda: any(_cpu_seconds(pid) > 0.05 for pid in _grandchildren(server.pid)),
                "the render to be under way",
            )
            processes = _descendants(server.pid)
            server.send_signal(signal.SIGTERM)
            _assert_refused(await request, "longer than 10 s")  # answered, not cut off
        exit_code = await asyncio.to_thread(server.wait, BOUND)
        assert exit_code == -signal.SIGTERM  # uvicorn re-raises it once shut down gracefully
        await _until(lambda: not any(_alive(pid) for pid in processes), "its processes to go")
        await database.dispose()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


async def _until_serving(http: httpx.AsyncClient, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + BOUND
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if (await http.get("/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    pytest.fail("laurel serve did not start")
