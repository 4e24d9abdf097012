"""Rendering throughput, one process: a typical certificate drawn cold (no cache) as PDF and PNG.

The cached figures and the wallet page come from bench/run.py, through a real server.
"""

import time
from collections.abc import Callable

from laurel.rendering.engine import render_pdf, render_png
from laurel.rendering.template import fill_design

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


def measure() -> dict[str, tuple[float, float]]:
    url = "https://laurel.example/credentials/5f0c9a52-1c51-4b44-9f0e-0a4b7c7f3e11"
    return {
        "certificate PDF, cold": _per_second(
            lambda n: render_pdf(fill_design(CERTIFICATE, _values(n)), url)
        ),
        "certificate PNG (144 dpi), cold": _per_second(
            lambda n: render_png(fill_design(CERTIFICATE, _values(n)), url)
        ),
    }


def report(rates: dict[str, tuple[float, float]]) -> str:
    lines = [
        "### Rendering (one process, one core, no cache)",
        "",
        "| render | per second | ms each | slowest ms |",
        "|---|---:|---:|---:|",
    ]
    for name, (rate, slowest) in rates.items():
        lines.append(f"| {name} | {rate:,.1f} | {1000 / rate:.1f} | {slowest:.1f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(report(measure()))
