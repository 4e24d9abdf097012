"""Run a write every few seconds until told to stop: how a process writes what it remembered.

Things counted on hot paths (public page views, API token uses) are kept in memory and written in
one statement now and then by a task of the process, started by the app's lifespan. A database
hiccup must not end the task: it is logged and the next round retries.
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog

from laurel.kit.outages import database_unreachable

log = structlog.get_logger()


async def write_periodically(
    write: Callable[[], Awaitable[object]], stop: asyncio.Event, every: float, what: str
) -> None:
    """Call `write` every `every` seconds, and once more when `stop` is set; `what` names it in
    the logs (`<what>_not_written`)."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)
        try:
            await write()
        except Exception as error:  # the next round retries
            if database_unreachable(error):
                log.warning(f"{what}_not_written", error=repr(error))
            else:
                log.exception(f"{what}_not_written")
