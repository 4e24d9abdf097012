"""Rendering throughput: a typical certificate drawn cold (no cache) as PDF and PNG.

One render at a time: the engine called directly (its own cost); then, taking turns, in a
thread as the API drew before issue 11, and in a warm render worker process under the budget as
it draws now (the difference is the pool's cost: the job pickled, two pipe hops, the answer's
bytes copied back; a tiny design without MuPDF shows it alone). Then what starting workers
costs: the forkserver once per API process, a fork per worker.

The cached figures and the wallet page come from bench/run.py, through a real server.
"""

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable

from laurel.rendering.engine import draw, render_pdf, render_png
from laurel.rendering.formats import Format
from laurel.rendering.pool import RenderPool
from laurel.rendering.template import fill_design
from laurel.rendering.worker import RenderJob

CERTIFICATE = """<svg xmlns="http://www.w3.org/2000/svg"
  width="842" height="595" viewBox="0 0 842 595">
<rect width="842" height="595" fill="#fdf8ee"/>
<rect x="20" y="20" width="802" height="555" fill="none" stroke="#b8860b" stroke-width="6"/>
<circle cx="421" cy="470" r="40" fill="#b8860b"/>
<text x="421" y="110" font-size="40" text-anchor="middle">Certificate of Completion</text>
<text x="421" y="240" font-size="48" text-anchor="middle" font-weight="bold">[recipient.name]</text>
<text x="421" y="320" font-size="28" text-anchor="middle" fill="#444">[group.name]</text>
<text x="60" y="540" font-size="14">Issued [credential.issueDate] - [credential.publicId]</text>
<rect data-qr="verify" x="700" y="440" width="100" height="100"/>
</svg>"""


def _per_second(work: Callable[[int], bytes], seconds: float = 3.0) -> tuple[float, float]:
    """Renders per second at the median render's time, and the slowest in ms (each a new name)."""
    work(0)
    kept: list[float] = []
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        began = time.perf_counter()
        work(len(kept) + 1)
        kept.append(time.perf_counter() - began)
    return 1 / statistics.median(kept), max(kept) * 1000


def _values(n: int) -> dict[str, str | None]:
    return {
        "recipient.name": f"Ada Lovelace {n}",
        "group.name": "Financial Markets",
        "credential.issueDate": "2026-01-05",
        "credential.publicId": f"5f0c9a52-1c51-4b44-9f0e-{n:012d}",
    }


async def _side_by_side(
    before: Callable[[int], Awaitable[bytes]],
    after: Callable[[int], Awaitable[bytes]],
    seconds: float = 6.0,
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Both ways taking turns, one render each, so that a busy machine slows both alike.

    For each: renders per second at the median render's time, and the slowest in ms.
    """
    await before(0)
    await after(0)
    times: tuple[list[float], list[float]] = ([], [])
    n, started = 1, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for work, kept in ((before, times[0]), (after, times[1])):
            began = time.perf_counter()
            await work(n)
            kept.append(time.perf_counter() - began)
        n += 1
    first, second = ((1 / statistics.median(kept), max(kept) * 1000) for kept in times)
    return first, second


URL = "https://laurel.example/credentials/5f0c9a52-1c51-4b44-9f0e-0a4b7c7f3e11"
# No MuPDF: a tiny design's SVG filled in, so what is left of a render is the way there and back.
TINY = '<svg xmlns="http://www.w3.org/2000/svg"><text>[recipient.name]</text></svg>'


async def _thread_and_pool() -> tuple[dict[str, tuple[float, float]], dict[str, float]]:
    rates: dict[str, tuple[float, float]] = {}
    pool = RenderPool(concurrency=1)
    began = time.perf_counter()
    await pool.start()  # the forkserver imports the renderer, then forks the first worker
    starts = {"the forkserver and a first worker": time.perf_counter() - began}
    try:
        drawings: list[tuple[Format, str, str]] = [
            ("pdf", CERTIFICATE, "certificate PDF"),
            ("png", CERTIFICATE, "certificate PNG (144 dpi)"),
            ("svg", TINY, "tiny SVG, no MuPDF (the way there and back)"),
        ]
        for fmt, svg, label in drawings:

            async def in_thread(n: int, fmt: Format = fmt, svg: str = svg) -> bytes:
                return await asyncio.to_thread(draw, fmt, svg, _values(n), URL)

            async def in_pool(n: int, fmt: Format = fmt, svg: str = svg) -> bytes:
                job = RenderJob(fmt, svg, _values(n), URL)
                return await pool.render(job, key=f"{fmt}{n}", design_id="bench")

            thread, pooled = await _side_by_side(in_thread, in_pool)
            rates[f"{label}, in a thread (before)"] = thread
            rates[f"{label}, in a pool worker (now)"] = pooled
        another = RenderPool(concurrency=1)
        began = time.perf_counter()
        await another.start()
        starts["each further worker (a fork)"] = time.perf_counter() - began
        await another.close()
    finally:
        await pool.close()
    return rates, starts


def measure() -> tuple[dict[str, tuple[float, float]], dict[str, float]]:
    rates = {
        "certificate PDF, engine alone": _per_second(
            lambda n: render_pdf(fill_design(CERTIFICATE, _values(n)), URL)
        ),
        "certificate PNG (144 dpi), engine alone": _per_second(
            lambda n: render_png(fill_design(CERTIFICATE, _values(n)), URL)
        ),
    }
    pooled, starts = asyncio.run(_thread_and_pool())
    return rates | pooled, starts


def report(measured: tuple[dict[str, tuple[float, float]], dict[str, float]]) -> str:
    rates, starts = measured
    lines = [
        "### Rendering (one render at a time, no cache)",
        "",
        "| render | per second | ms each (median) | slowest ms |",
        "|---|---:|---:|---:|",
    ]
    for name, (rate, slowest) in rates.items():
        lines.append(f"| {name} | {rate:,.1f} | {1000 / rate:.1f} | {slowest:.1f} |")
    lines += ["", "| render workers started | ms |", "|---|---:|"]
    for name, seconds in starts.items():
        lines.append(f"| {name} | {seconds * 1000:,.0f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(report(measure()))
