"""The render pool under uvloop, the loop `laurel serve` runs on.

uvloop makes a descriptor it watches non-blocking; an answer larger than the pipe's buffer (a
detailed PDF) then needs reads that wait. Every second render of `laurel serve` failed with a
500 before the pool set its pipe blocking again.
"""

import asyncio

import uvloop

from laurel.config import Environment, Settings
from laurel.gallery.starters import find_starter
from laurel.rendering.pool import RenderPool
from laurel.rendering.service import sample_values
from laurel.rendering.worker import RenderJob


async def _render_large_pdfs_twice() -> list[int]:
    pool = RenderPool.from_settings(Settings(env=Environment.testing))
    starter = find_starter("heritage-landscape-a4")
    assert starter is not None
    sizes = []
    try:
        for attempt in range(2):
            job = RenderJob("pdf", starter.svg, dict(sample_values({})), f"http://x/{attempt}")
            sizes.append(len(await pool.render(job, key=f"k{attempt}", design_id="heritage")))
    finally:
        await pool.close()
    return sizes


def test_large_answers_arrive_whole_on_uvloop() -> None:
    sizes = uvloop.run(asyncio.wait_for(_render_large_pdfs_twice(), 120))
    assert all(size > 256 * 1024 for size in sizes), sizes  # larger than a pipe's buffer
