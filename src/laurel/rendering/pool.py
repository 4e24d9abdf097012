"""Renders in a few warm worker processes, each render under a time and a memory budget.

MuPDF is C code that Python cannot interrupt: a design with thousands of text boxes or QR code
places held a thread at 100% CPU for over 25 minutes, and a process with such a render running
could not exit on SIGTERM. So every render runs in a worker process, which can be killed:

- **At most `concurrency` renders at once** per API process, one per worker. A render waits for
  a free worker at most `queue_seconds`, then is refused: `503 render_unavailable` with
  `Retry-After` (every busy worker is done or killed within the time budget).
- **Time**: a render still running after `timeout_seconds` has its worker killed (SIGKILL) and
  replaced; the caller gets `422 render_budget_exceeded`.
- **Memory**: a worker's address space is capped (RLIMIT_AS) at what it holds when warm plus
  `memory_mb`: a render that wants more fails inside its worker (MemoryError, or MuPDF's malloc
  failure) instead of growing the machine into its OOM killer; the worker is replaced.
- **Orphans**: each render also caps its worker's CPU time (RLIMIT_CPU, the time budget and a
  second), so a worker whose API process died mid-render (SIGKILL, OOM) dies by itself; an idle
  one exits when its pipe closes.
- **Refusals are remembered** by render key for `REFUSALS_KEPT_SECONDS`: a runaway behind a public
  link (`/credentials/{publicId}/image.png`, anyone may ask) costs one budget, not one per request.
  The key hashes the design and its values, so a changed design is tried again at once.
- Workers are recycled after `RENDERS_PER_WORKER` renders, so what MuPDF's caches and the
  allocator keep does not pile up against the memory cap.

Why multiprocessing's **forkserver** context, and this small pool rather than
`concurrent.futures.ProcessPoolExecutor`: the executor cannot kill one task; killing its worker
breaks the whole pool and fails every other render in flight. Forking the API process itself
would copy its event loop's and threads' locks, database connections and listening socket. A
spawned interpreter starts clean but takes 1-2 s to import PyMuPDF (which imports its layout
package and numpy). The forkserver is started once per API process, imports the renderer once,
and forks warm workers from its single thread in ~20 ms: a replacement after a kill is cheap,
and no render pays for a process start. (multiprocessing runs the program's main script again
in each worker: see `preload_in_render_workers`.) The worker's side is `rendering/worker.py`.
"""

import asyncio
import contextlib
import math
import multiprocessing
import os
import signal
import time
from collections import OrderedDict
from typing import Any

import structlog
from starlette.requests import Request

from laurel.config import Settings
from laurel.kit.errors import InternalServerError, RenderBudgetExceeded, RenderUnavailable
from laurel.rendering.worker import READY, RenderJob, serve_renders

log = structlog.get_logger()

RENDERS_PER_WORKER = 500
# A worker not ready this long after its start is given up (a starved machine, a broken one).
WORKER_START_SECONDS = 60
REFUSALS_KEPT_SECONDS = 15 * 60
REFUSALS_KEPT = 1000  # render keys; the oldest is forgotten first
_context = multiprocessing.get_context("forkserver")
_PRELOADED = ["__main__", "laurel.rendering.engine", "laurel.rendering.pool"]
# Takes effect when this process first starts a worker (the forkserver starts then).
_context.set_forkserver_preload(_PRELOADED)


def preload_in_render_workers(module: str) -> None:
    """Have the forkserver import `module` once, so that no render worker imports it again.

    multiprocessing runs the program's main script again in each worker it starts (a `python -m`
    package's `__main__` excepted), and CPython before 3.13.8 ignores a forkserver's `__main__`
    preload (gh-126631): a main script that imports `module` then costs a worker nothing more.
    Call it at import time, before the first render.
    """
    if module not in _PRELOADED:
        _PRELOADED.append(module)
        _context.set_forkserver_preload(_PRELOADED)


class _Worker:
    def __init__(self, memory_bytes: int, timeout_seconds: float) -> None:
        self.connection, theirs = _context.Pipe()
        self.process = _context.Process(
            target=serve_renders,
            args=(theirs, memory_bytes, timeout_seconds),
            name="laurel-render",
            daemon=True,
        )
        self.process.start()
        theirs.close()
        self.renders = 0

    @property
    def pid(self) -> int:
        return self.process.pid or 0

    async def answer(self) -> tuple[str, Any]:
        """The answer to the job sent to this worker; EOFError when it died without one."""
        loop = asyncio.get_running_loop()
        readable: asyncio.Future[None] = loop.create_future()

        def on_readable() -> None:
            if not readable.done():
                readable.set_result(None)

        descriptor = self.connection.fileno()
        loop.add_reader(descriptor, on_readable)
        try:
            await readable
        finally:
            loop.remove_reader(descriptor)
            # uvloop (what `laurel serve` runs on) makes a watched descriptor non-blocking; the
            # answer of a large PDF spans several reads, each of which must wait for its bytes.
            os.set_blocking(descriptor, True)
        # Its answer is written in one go once drawn (or it died: EOF): reading waits only
        # for the bytes in transit.
        reply: tuple[str, Any] = self.connection.recv()
        return reply

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.process.kill()  # SIGKILL: MuPDF's C code cannot be interrupted otherwise


class _Refusals:
    """Render keys that went over budget lately, with what was said; the oldest go first."""

    def __init__(self) -> None:
        self._kept: OrderedDict[str, tuple[float, str]] = OrderedDict()

    def get(self, key: str) -> str | None:
        kept = self._kept.get(key)
        if kept is None or kept[0] < time.monotonic():
            self._kept.pop(key, None)
            return None
        return kept[1]

    def add(self, key: str, message: str) -> None:
        self._kept[key] = (time.monotonic() + REFUSALS_KEPT_SECONDS, message)
        self._kept.move_to_end(key)
        while len(self._kept) > REFUSALS_KEPT:
            self._kept.popitem(last=False)


class RenderPool:
    """The render workers of one API process: warm, at most `concurrency`, killed over budget."""

    def __init__(
        self,
        *,
        concurrency: int = 2,
        timeout_seconds: float = 20,
        memory_mb: int = 1024,
        queue_seconds: float = 10,
        renders_per_worker: int = RENDERS_PER_WORKER,
    ) -> None:
        self.concurrency = concurrency
        self.renders_per_worker = renders_per_worker
        self.timeout_seconds = timeout_seconds
        self.memory_mb = memory_mb
        self.queue_seconds = queue_seconds
        self._slots = asyncio.Semaphore(concurrency)
        self._idle: list[_Worker] = []
        self._workers: set[_Worker] = set()
        self._starting = 0
        self._refusals = _Refusals()
        self._closed = False

    @classmethod
    def from_settings(cls, settings: Settings) -> "RenderPool":
        return cls(
            concurrency=settings.render_concurrency,
            timeout_seconds=settings.render_timeout_seconds,
            memory_mb=settings.render_memory_mb,
            queue_seconds=settings.render_queue_seconds,
        )

    @property
    def worker_pids(self) -> list[int]:
        """The render processes alive now, busy or idle."""
        return sorted(worker.pid for worker in self._workers)

    @property
    def busy(self) -> int:
        """Renders running now."""
        return len(self._workers) - len(self._idle)

    def _unavailable(self, message: str | None = None) -> RenderUnavailable:
        # Within the time budget every render in flight has finished or been killed.
        retry_after = max(1, math.ceil(self.timeout_seconds))
        return RenderUnavailable(message, headers={"Retry-After": str(retry_after)})

    async def _start_worker(self) -> _Worker:
        """A new worker, ready for its first job (which its time budget then counts from)."""
        self._starting += 1
        try:
            worker = await self._new_worker()
        finally:
            self._starting -= 1
        if self._closed:  # closed while it started
            worker.kill()
            worker.connection.close()
            raise self._unavailable("The server is shutting down")
        self._workers.add(worker)
        return worker

    async def _new_worker(self) -> _Worker:
        # The first start in a process waits for the forkserver to import the renderer (1-2 s);
        # later ones are a fork (~20 ms). Either way not on the event loop.
        memory_bytes = self.memory_mb * 1024 * 1024
        starting = asyncio.ensure_future(
            asyncio.to_thread(_Worker, memory_bytes, self.timeout_seconds)
        )
        try:
            worker = await asyncio.shield(starting)
        except asyncio.CancelledError:
            # The thread cannot be stopped: the worker it starts is killed once started.
            starting.add_done_callback(_kill_started)
            raise
        try:
            async with asyncio.timeout(WORKER_START_SECONDS):
                if await worker.answer() != READY:
                    raise EOFError
        except (TimeoutError, EOFError, OSError):
            worker.kill()
            worker.connection.close()
            log.error("render_worker_did_not_start", worker_pid=worker.pid)
            raise self._unavailable() from None
        except BaseException:
            worker.kill()
            worker.connection.close()
            raise
        return worker

    def _discard(self, worker: _Worker) -> None:
        worker.kill()
        worker.connection.close()
        self._workers.discard(worker)
        with contextlib.suppress(ValueError):
            self._idle.remove(worker)

    def _short_of_workers(self) -> bool:
        return not self._closed and len(self._workers) + self._starting < self.concurrency

    async def start(self) -> None:
        """Start every worker now, so that the first renders find them warm (app start-up).

        Each slot holder (a render, or this) starts a worker only when none is idle, so there
        are never more than `concurrency`, however renders and this interleave.
        """
        while self._short_of_workers():
            async with self._slots:
                if self._short_of_workers():
                    self._idle.append(await self._start_worker())

    async def render(self, job: RenderJob, *, key: str, design_id: str) -> bytes:
        """The file `job` draws, drawn by a worker within the budget; `key` is its render key.

        Raises `RenderBudgetExceeded` (422) for a design over the time or memory budget, and
        `RenderUnavailable` (503, Retry-After) when no worker frees up in `queue_seconds`.
        """
        refused = self._refusals.get(key)
        if refused is not None:
            log.info("render_refused_again", design_id=design_id, format=job.fmt)
            raise RenderBudgetExceeded(refused)
        if self._closed:
            raise self._unavailable("The server is shutting down")
        waited = time.monotonic()
        try:
            async with asyncio.timeout(self.queue_seconds):
                await self._slots.acquire()
        except TimeoutError:
            log.warning(
                "render_queue_full",
                design_id=design_id,
                format=job.fmt,
                waited_seconds=round(time.monotonic() - waited, 2),
            )
            raise self._unavailable() from None
        try:
            return await self._render_in_worker(job, key, design_id)
        finally:
            self._slots.release()

    async def _send(self, job: RenderJob, *, fresh: bool = False) -> _Worker:
        """An idle worker (a new one if none, or if `fresh`) with `job` sent to it."""
        worker = self._idle.pop() if self._idle and not fresh else await self._start_worker()
        try:
            try:
                await _send_job(worker, job)
            except OSError:  # it died while idle (killed from outside): a new one
                self._discard(worker)
                worker = await self._start_worker()
                await _send_job(worker, job)
        except BaseException:
            self._discard(worker)  # cancelled, or broken twice: neither idle nor busy
            raise
        return worker

    async def _render_in_worker(
        self, job: RenderJob, key: str, design_id: str, *, retried: bool = False
    ) -> bytes:
        worker = await self._send(job, fresh=retried)
        try:
            async with asyncio.timeout(self.timeout_seconds):
                outcome, detail = await worker.answer()
        except TimeoutError:
            self._discard(worker)
            outcome, detail = "time", ""
        except (EOFError, OSError):
            await asyncio.to_thread(worker.process.join, 1)
            self._discard(worker)
            if self._closed:
                raise self._unavailable("The server is shutting down") from None
            # Only the kernel's CPU cap kills a worker on its own: the API process was too
            # slow to; anything else is a crash, a bug of ours or MuPDF's.
            if worker.process.exitcode != -signal.SIGXCPU:
                log.error(
                    "render_worker_died",
                    design_id=design_id,
                    format=job.fmt,
                    worker_pid=worker.pid,
                    exit_code=worker.process.exitcode,
                    retried=retried,
                )
                if retried:
                    raise InternalServerError() from None
                # A worker that died without an answer is tried once more on a new process:
                # a design that kills its renderer fails twice; anything else gets drawn.
                return await self._render_in_worker(job, key, design_id, retried=True)
            outcome, detail = "time", ""
        except BaseException:
            self._discard(worker)  # cancelled: nobody will read its answer
            raise
        if outcome == "ok":
            worker.renders += 1
            if worker.renders < self.renders_per_worker:
                self._idle.append(worker)
            else:
                self._discard(worker)  # recycled: what MuPDF and the allocator kept goes too
            content: bytes = detail
            return content
        self._discard(worker)  # after a failure, a fresh process rather than a doubtful one
        if outcome == "failed":
            log.error("render_failed", design_id=design_id, format=job.fmt, error=detail)
            raise InternalServerError()
        log.warning(
            "render_over_budget",
            design_id=design_id,
            format=job.fmt,
            reason=outcome,
            worker_pid=worker.pid,
            timeout_seconds=self.timeout_seconds,
            memory_mb=self.memory_mb,
        )
        message = self._refusal_message(outcome, detail)
        self._refusals.add(key, message)
        raise RenderBudgetExceeded(message)

    def _refusal_message(self, outcome: str, detail: str) -> str:
        if outcome == "time":
            return (
                f"The design took longer than {self.timeout_seconds:g} s to render, this "
                "server's budget: it has too many text boxes or QR codes, or too much art"
            )
        if outcome == "memory":
            return (
                f"The design needs more than {self.memory_mb} MB to render, this server's "
                "budget: its page or its images are too large"
            )
        return f"The design is larger than the renderer can draw ({detail})"

    async def close(self) -> None:
        """Kill every worker, idle or in the middle of a render, and wait until they are gone.

        A render in flight then ends at once with `503 render_unavailable`.
        """
        self._closed = True
        workers = list(self._workers)
        for worker in workers:
            if worker in self._idle:
                self._discard(worker)
            else:  # its render sees the pipe close, answers 503 and discards it
                worker.kill()
        await asyncio.to_thread(_reap, workers)


# A pipe holds 64 KiB: a larger job is written while the worker reads it, and a worker just
# started may not read yet. The event loop must not wait for that (up to 4 bytes a character).
_SENT_INLINE_CHARACTERS = 12 * 1024


async def _send_job(worker: _Worker, job: RenderJob) -> None:
    if (
        len(job.svg) + sum(len(value or "") for value in job.values.values())
        < _SENT_INLINE_CHARACTERS
    ):
        worker.connection.send(job)
    else:
        await asyncio.to_thread(worker.connection.send, job)


def _kill_started(starting: "asyncio.Future[_Worker]") -> None:
    if not starting.cancelled() and starting.exception() is None:
        worker = starting.result()
        worker.kill()
        worker.connection.close()


def _reap(workers: list[_Worker]) -> None:
    for worker in workers:
        worker.process.join(timeout=5)


def render_pool(request: Request) -> RenderPool:
    """The render pool of the app serving `request` (made in `create_app`)."""
    pool: RenderPool = request.app.state.render_pool
    return pool
