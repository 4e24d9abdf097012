"""The loop that writes what a process remembered (views, token uses) every few seconds."""

import asyncio

from laurel.kit.periodic import write_periodically


async def test_a_failed_write_does_not_end_the_loop_and_stopping_writes_once_more() -> None:
    stop = asyncio.Event()
    calls: list[int] = []

    async def write() -> None:
        calls.append(len(calls))
        if len(calls) == 1:
            raise RuntimeError("a bug, logged; the next round retries")
        if len(calls) == 3:
            stop.set()

    await write_periodically(write, stop, every=0, what="test")

    # The first round failed, the second wrote, the third saw the stop and was the last.
    assert calls == [0, 1, 2]
