"""A render worker process: draws the jobs it is sent, within its memory and CPU caps.

Started by `rendering/pool.py` from multiprocessing's forkserver, which has imported the engine
(and so MuPDF) already: a new worker is a fork, warm from its first job. Nothing here talks to
the database or the network; a job is a design and its values, an answer is the file's bytes or
why it could not be drawn. This module itself imports no MuPDF, so that the API side (and the
CLI, which names it) stays light.
"""

import math
import os
import resource
import signal
from collections.abc import Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from laurel.rendering.formats import Format


READY = ("ready", None)


@dataclass(frozen=True)
class RenderJob:
    """What one render draws: `engine.draw`'s arguments."""

    fmt: "Format"
    svg: str
    values: Mapping[str, str | None]
    qr_url: str


def _address_space_bytes() -> int | None:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None  # not Linux: no cap (macOS does not enforce RLIMIT_AS anyway)


def cap_memory(budget_bytes: int) -> None:
    """The address space this worker holds now (Python, MuPDF, fonts), plus the budget."""
    held = _address_space_bytes()
    if held is not None:
        resource.setrlimit(resource.RLIMIT_AS, (held + budget_bytes, resource.RLIM_INFINITY))


def cap_cpu(seconds: float) -> None:
    """Let the next render use `seconds` more CPU time (and one more), then the kernel kills us.

    The API process kills a worker over its time budget long before; this is for a worker whose
    API process died mid-render and left it an orphan.
    """
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(usage.ru_utime + usage.ru_stime + seconds) + 1
    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def outcome_of(error: Exception) -> tuple[str, str]:
    """A failed render: over the memory budget, past MuPDF's own limits, or something else."""
    import pymupdf

    message = str(error)
    if isinstance(error, MemoryError) or (
        isinstance(error, pymupdf.mupdf.FzErrorSystem) and "malloc" in message
    ):
        return "memory", message
    if isinstance(error, pymupdf.mupdf.FzErrorLimit):
        return "limit", message
    return "failed", f"{type(error).__name__}: {message}"


def serve_renders(connection: Connection, memory_bytes: int, timeout_seconds: float) -> None:
    """A worker's life: draw each job received and answer, until the pipe closes."""
    from laurel.rendering.engine import draw  # preloaded by the forkserver: no cost

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the process group; we stay
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # killed by RLIMIT_CPU: no core file
    cap_memory(memory_bytes)
    connection.send(READY)  # the time budget counts from the first job, not from the fork
    while True:
        try:
            job: RenderJob = connection.recv()
        except (EOFError, OSError):
            return  # the API process closed the pipe, or is gone
        cap_cpu(timeout_seconds)
        reply: tuple[str, Any]
        try:
            reply = ("ok", draw(job.fmt, job.svg, job.values, job.qr_url))
        except Exception as error:
            reply = outcome_of(error)
        connection.send(reply)
