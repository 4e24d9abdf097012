"""Rendering throughput: a typical certificate drawn cold (no cache) as PDF and PNG.

Three ways, one render at a time: the engine called directly (its own cost); in a thread, as
the API drew before the render pool (issue 11); and through the render pool, in a warm worker
process under the time and memory budget, as the API draws now (the difference is the pool's
cost: pickling the job, two pipe hops, the answer's bytes copied back). Then what starting
workers costs: the forkserver once per API process, a fork per worker.

The cached figures and the wallet page come from bench/run.py, through a real server.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable

from laurel.rendering.engine import Format, draw, render_pdf, render_png
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
    """Renders per second and the slowest single render in ms (every render a new name)."""
    work(0)
    done, slowest, started = 0, 0.0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        began = time.perf_counter()
        work(done + 1)
        slowest = max(slowest, time.perf_counter() - began)
        done += 1
    return done / elapsed, slowest * 1000


def _values(n: int) -> dict[str, str | None]:
    return {
        "recipient.name": f"Ada Lovelace {n}",
        "group.name": "Financial Markets",
        "credential.issueDate": "2026-01-05",
        "credential.publicId": f"5f0c9a52-1c51-4b44-9f0e-{n:012d}",
    }


async def _per_second_async(
    work: Callable[[int], Awaitable[bytes]], seconds: float = 3.0
) -> tuple[float, float]:
    await work(0)
    done, slowest, started = 0, 0.0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        began = time.perf_counter()
        await work(done + 1)
        slowest = max(slowest, time.perf_counter() - began)
        done += 1
    return done / elapsed, slowest * 1000


URL = "https://laurel.example/credentials/5f0c9a52-1c51-4b44-9f0e-0a4b7c7f3e11"


async def _through_pool_and_thread() -> tuple[dict[str, tuple[float, float]], dict[str, float]]:
    rates: dict[str, tuple[float, float]] = {}
    pool = RenderPool(concurrency=1)
    began = time.perf_counter()
    await pool.start()  # the forkserver imports the renderer, then forks the first worker
    starts = {"forkserver and first worker": time.perf_counter() - began}
    try:
        for fmt, label in (("pdf", "certificate PDF"), ("png", "certificate PNG (144 dpi)")):
            kind: Format = "pdf" if fmt == "pdf" else "png"

            async def in_thread(n: int, kind: Format = kind) -> bytes:
                return await asyncio.to_thread(draw, kind, CERTIFICATE, _values(n), URL)

            async def in_pool(n: int, kind: Format = kind) -> bytes:
                job = RenderJob(kind, CERTIFICATE, _values(n), URL)
                return await pool.render(job, key=f"{kind}{n}", design_id="bench")

            rates[f"{label}, cold, in a thread (before the pool)"] = await _per_second_async(
                in_thread
            )
            rates[f"{label}, cold, through the render pool"] = await _per_second_async(in_pool)
        await pool.close()
        replacement = RenderPool(concurrency=1)
        began = time.perf_counter()
        await replacement.start()
        starts["a further worker (a fork)"] = time.perf_counter() - began
        await replacement.close()
    finally:
        await pool.close()
    return rates, starts


def measure() -> tuple[dict[str, tuple[float, float]], dict[str, float]]:
    rates = {
        "certificate PDF, cold, engine alone": _per_second(
            lambda n: render_pdf(fill_design(CERTIFICATE, _values(n)), URL)
        ),
        "certificate PNG (144 dpi), cold, engine alone": _per_second(
            lambda n: render_png(fill_design(CERTIFICATE, _values(n)), URL)
        ),
    }
    pooled, starts = asyncio.run(_through_pool_and_thread())
    return rates | pooled, starts


def report(measured: tuple[dict[str, tuple[float, float]], dict[str, float]]) -> str:
    rates, starts = measured
    lines = [
        "### Rendering (one render at a time, no cache)",
        "",
        "| render | per second | ms each | slowest ms |",
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
