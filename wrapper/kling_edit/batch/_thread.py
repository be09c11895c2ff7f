"""`JournalThread`: the one thread a runner's journal calls run in, off the event loop, and
`JournalCall`, the type of its `run` for the code that makes those calls.

A journal call commits before it returns, and a commit waits for the disk (SQLite's fsync) or
the database server: run on the event loop, each would stall every job in flight.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
from collections.abc import Callable
from typing import ParamSpec, Protocol, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class JournalCall(Protocol):
    """Runs one journal call off the event loop (`JournalThread.run`)."""

    async def __call__(self, call: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R: ...


class JournalThread:
    """Runs journal calls one at a time (a connection serves one caller at a time)."""

    def __init__(self) -> None:
        self._pool = concurrent.futures.ThreadPoolExecutor(1, "kling-edit-journal")

    async def run(self, call: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, functools.partial(call, *args, **kwargs))

    def close(self) -> None:
        """Wait for the calls under way, then stop the thread."""
        self._pool.shutdown()
