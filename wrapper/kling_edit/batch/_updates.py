"""The batch runner's inbox of task updates: finished tasks a callback receiver delivers, matched
to the jobs waiting for them by task id or external task id."""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import Coroutine
from typing import Any

from .._errors import TaskFailedError
from .._models import Task

# Ended tasks kept for a job that asks later (its callback came before its create's answer was
# recorded, or its download is retried); the oldest are forgotten beyond this.
KEPT_UPDATES = 10_000


class TaskUpdates:
    """Finished tasks delivered from any thread; awaited by the runner's jobs on its loop."""

    def __init__(self, kept: int = KEPT_UPDATES) -> None:
        self._lock = threading.Lock()
        self._kept = kept
        # Keys are "id:<task_id>" and "ext:<external_task_id>": the two never collide.
        self._ended: OrderedDict[str, Task] = OrderedDict()
        self._waiting: dict[str, set[asyncio.Future[Task]]] = {}

    def deliver(self, task: Task) -> None:
        """Take a task update; one not finished yet is of no use to a waiting job."""
        if not task.is_finished:
            return
        keys = _keys(task.task_id, task.external_task_id)
        with self._lock:
            waiters: set[asyncio.Future[Task]] = set()
            for key in keys:
                self._ended[key] = task
                self._ended.move_to_end(key)
                waiters |= self._waiting.pop(key, set())
            while len(self._ended) > self._kept:
                self._ended.popitem(last=False)
        for waiter in waiters:
            waiter.get_loop().call_soon_threadsafe(_settle, waiter, task)

    async def ended(self, task_id: str, external_task_id: str | None) -> Task:
        """Wait until the task is delivered finished (at once if it already was)."""
        keys = _keys(task_id, external_task_id)
        waiter: asyncio.Future[Task] = asyncio.get_running_loop().create_future()
        with self._lock:
            for key in keys:
                if key in self._ended:
                    return self._ended[key]
            for key in keys:
                self._waiting.setdefault(key, set()).add(waiter)
        try:
            return await waiter
        finally:
            with self._lock:
                for key in keys:
                    waiting = self._waiting.get(key)
                    if waiting is not None:
                        waiting.discard(waiter)
                        if not waiting:
                            del self._waiting[key]

    async def ended_or(
        self, task_id: str, external_task_id: str | None, poll: Coroutine[Any, Any, Task]
    ) -> Task:
        """The succeeded task, from whichever tells first: its delivery or `poll` (e.g. a slow
        `tasks.wait`); the other is cancelled. TaskFailedError if the delivery says it failed.
        """
        delivered = asyncio.ensure_future(self.ended(task_id, external_task_id))
        polled = asyncio.ensure_future(poll)
        try:
            await asyncio.wait({delivered, polled}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in (delivered, polled):
                waiting.cancel()
            await asyncio.gather(delivered, polled, return_exceptions=True)
        if delivered.cancelled():  # the poll told first
            return polled.result()
        task = delivered.result()
        if task.is_failed:
            raise TaskFailedError(task)
        return task


def _keys(task_id: str, external_task_id: str | None) -> list[str]:
    return [f"id:{task_id}", *([f"ext:{external_task_id}"] if external_task_id else [])]


def _settle(waiter: asyncio.Future[Task], task: Task) -> None:
    if not waiter.done():  # cancelled meanwhile, or settled by the task's other key
        waiter.set_result(task)
