"""Client-side limits: the account's task slots (`TaskWindow`, waited on by `TaskSlots` and
`AsyncTaskSlots`) and the async client's cap on requests in flight (`InFlightLimit`).

Kling counts running tasks per account and refuses a create over its limit with 429/1303. A
client given `max_concurrent_tasks=N` keeps a window of at most N tasks: a create waits for a
free slot, a task holds its slot from its create until the client sees it end (a wait() or
get() answer), and a 1303 refusal halves the window (other clients share the account), which
then grows back by one per task seen ending, up to N.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Awaitable, Callable, Iterable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING

from ._errors import KlingEditError, RateLimitError, TaskFailedError
from ._models import Task

if TYPE_CHECKING:
    import asyncio

__all__ = [
    "DEFAULT_MAX_IN_FLIGHT",
    "AsyncTaskSlots",
    "InFlightLimit",
    "TaskSlots",
    "TaskWindow",
    "check_limit",
    "is_task_refusal",
    "tasks_in",
]

# httpx's default pool size: more requests in flight than connections only queue in httpcore,
# whose queue costs CPU per waiting request on every change (quadratic in a burst).
DEFAULT_MAX_IN_FLIGHT = 100
# How long a refused create waits before trying again when no task of this client is running
# (the account's slots are all held by others, so no finish of ours can announce a free one).
REFUSAL_PAUSE = 1.0
MAX_REFUSAL_PAUSE = 30.0


def check_limit(name: str, value: int | None) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise KlingEditError(f"{name} must be a positive integer or None, got {value!r}")
    return value


def is_task_refusal(error: BaseException) -> bool:
    """A create refused for the account's concurrency (1303) and surely not created."""
    return (
        isinstance(error, RateLimitError)
        and error.code == 1303
        and getattr(error, "task_created", None) is False
    )


def tasks_in(answer: object) -> Iterable[Task]:
    """The tasks an answer (or a TaskFailedError) shows, so the window can see them end."""
    if isinstance(answer, Task):
        return (answer,)
    if isinstance(answer, TaskFailedError):
        return (answer.task,)
    if isinstance(answer, list):
        return [item for item in answer if isinstance(item, Task)]
    return ()


class TaskWindow:
    """The sans-IO bookkeeping of task slots; the two `*TaskSlots` add the waiting."""

    def __init__(self, maximum: int) -> None:
        self.maximum = maximum
        self.size = maximum
        self.running: set[str] = set()
        self.reserved = 0
        self.refusals_in_a_row = 0

    def has_room(self) -> bool:
        return len(self.running) + self.reserved < self.size

    def reserve(self) -> None:
        self.reserved += 1

    def unreserve(self) -> None:
        self.reserved -= 1

    def created(self, task: Task) -> None:
        """The reserved slot is now held by `task` (unless it has ended already)."""
        self.reserved -= 1
        self.refusals_in_a_row = 0
        if not task.is_finished:
            self.running.add(task.task_id)

    def refused(self) -> float:
        """A create was refused with 1303: halve the window; answer how long to pause first
        (0: a running task of ours will free a slot, so waiting for room is enough)."""
        self.reserved -= 1
        self.size = max(1, self.size // 2)
        self.refusals_in_a_row += 1
        if self.running:
            return 0.0
        return min(REFUSAL_PAUSE * 2.0 ** (self.refusals_in_a_row - 1), MAX_REFUSAL_PAUSE)

    def seen(self, tasks: Iterable[Task]) -> bool:
        """Tasks seen in an answer: each that ended frees its slot and grows the window by
        one. Answers whether a slot came free."""
        freed = False
        for task in tasks:
            if task.is_finished and task.task_id in self.running:
                self.running.discard(task.task_id)
                self.size = min(self.maximum, self.size + 1)
                freed = True
        return freed


class TaskSlots:
    """Task slots for the sync client: threads wait on a condition for room."""

    def __init__(self, maximum: int) -> None:
        self.window = TaskWindow(maximum)
        self._room = threading.Condition()

    def reserve(self) -> None:
        with self._room:
            self._room.wait_for(self.window.has_room)
            self.window.reserve()

    def unreserve(self) -> None:
        with self._room:
            self.window.unreserve()
            self._room.notify_all()

    def created(self, task: Task) -> None:
        with self._room:
            self.window.created(task)

    def refused(self) -> float:
        with self._room:
            self._room.notify_all()
            return self.window.refused()

    def seen(self, answer: object) -> None:
        with self._room:
            if self.window.seen(tasks_in(answer)):
                self._room.notify_all()

    def create(self, send: Callable[[], Task], sleep: Callable[[float], object]) -> Task:
        """Run `send` (a create) in a free slot; a 1303 refusal waits for one and sends again
        (the same create: its external_task_id makes it the same task)."""
        while True:
            self.reserve()
            try:
                task = send()
            except BaseException as error:
                if not is_task_refusal(error):
                    self.unreserve()
                    raise
                sleep(self.refused())
                continue
            self.created(task)
            return task


class AsyncTaskSlots:
    """Task slots for the async client: coroutines wait on a condition made per event loop."""

    def __init__(self, maximum: int) -> None:
        self.window = TaskWindow(maximum)
        self._conditions: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, asyncio.Condition
        ] = weakref.WeakKeyDictionary()

    def _room(self) -> asyncio.Condition:
        import asyncio  # here, not at the top: it doubles `import kling_edit` time

        loop = asyncio.get_running_loop()
        condition = self._conditions.get(loop)
        if condition is None:
            condition = self._conditions[loop] = asyncio.Condition()
        return condition

    async def reserve(self) -> None:
        room = self._room()
        async with room:
            await room.wait_for(self.window.has_room)
            self.window.reserve()

    async def unreserve(self) -> None:
        self.window.unreserve()
        await self._wake()

    def created(self, task: Task) -> None:
        self.window.created(task)

    async def refused(self) -> float:
        pause = self.window.refused()
        await self._wake()
        return pause

    async def seen(self, answer: object) -> None:
        if self.window.seen(tasks_in(answer)):
            await self._wake()

    async def create(
        self, send: Callable[[], Awaitable[Task]], sleep: Callable[[float], Awaitable[object]]
    ) -> Task:
        """The twin of `TaskSlots.create`."""
        while True:
            await self.reserve()
            try:
                task = await send()
            except BaseException as error:
                if not is_task_refusal(error):
                    await self.unreserve()
                    raise
                await sleep(await self.refused())
                continue
            self.created(task)
            return task

    async def _wake(self) -> None:
        room = self._room()
        async with room:
            room.notify_all()


class InFlightLimit:
    """At most `maximum` requests of the async client in flight (None: no limit), on whatever
    event loop runs it."""

    def __init__(self, maximum: int | None) -> None:
        self.maximum = maximum
        self._semaphores: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, asyncio.Semaphore
        ] = weakref.WeakKeyDictionary()

    def __call__(self) -> AbstractAsyncContextManager[object]:
        if self.maximum is None:
            return _UNLIMITED
        import asyncio  # here, not at the top: it doubles `import kling_edit` time

        loop = asyncio.get_running_loop()
        semaphore = self._semaphores.get(loop)
        if semaphore is None:
            semaphore = self._semaphores[loop] = asyncio.Semaphore(self.maximum)
        return semaphore


_UNLIMITED = contextlib.nullcontext()
