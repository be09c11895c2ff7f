"""Multi-step flows: creating a task exactly once, finding it by external id, waiting for it.

Each is a generator of `_steps` run by either client; nothing else lives here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from attrs import evolve, frozen

from ._deadline import attempt_budget
from ._errors import (
    APIConnectionError,
    APIError,
    BadRequestError,
    KlingEditError,
    NotFoundError,
    TaskFailedError,
    WaitTimeoutError,
)
from ._models import Task
from ._operations import get_task, list_tasks
from ._retry import RetryPolicy, call, is_retryable, maybe_delivered
from ._steps import CallOptions, Flow, Operation, Sleep

# How far back to page through the task list when the service will not look a task up by its
# external id directly (tasks are listed newest first; a just-created task is on page one).
LOOKUP_PAGES = 4
LOOKUP_PAGE_SIZE = 100
# Time a wait's last poll is given to answer before the deadline (less on faster schedules).
LAST_POLL_RESERVE = 0.5


@frozen
class PollSchedule:
    """How wait() spaces its polls: fast at first, then settling at `maximum` seconds.

    The defaults poll at 0, 2, 6, 11, 16... s: a quick first look, then the settled pace, so a
    task of a minute or more costs at most ~15% more polls than a fixed 5 s poller.
    """

    first: float = 2.0
    factor: float = 2.0
    maximum: float = 5.0

    def delays(self) -> Iterator[float]:
        delay = self.first
        while True:
            yield min(delay, self.maximum)
            delay *= self.factor


def find_by_external_id(
    external_id: str, options: CallOptions, policy: RetryPolicy
) -> Flow[Task | None]:
    """The task created with `external_id`, or None when the service has none.

    UNSURE in the facts: how CometAPI looks a task up by external id. The client leans on the
    official Kling behaviour (the get route takes either id) and falls back to scanning the
    newest pages of the task list.
    """
    try:
        task: Task = yield from call(get_task(external_id, "external_task_id"), options, policy)
        if task.external_task_id in (None, external_id):
            return task
    except NotFoundError:
        pass
    for page in range(1, LOOKUP_PAGES + 1):
        tasks: list[Task] = yield from call(list_tasks(page, LOOKUP_PAGE_SIZE), options, policy)
        for candidate in tasks:
            if candidate.external_task_id == external_id:
                return candidate
        if len(tasks) < LOOKUP_PAGE_SIZE:
            return None
    return None


def require_by_external_id(
    external_id: str, options: CallOptions, policy: RetryPolicy
) -> Flow[Task]:
    """The task created with `external_id`; NotFoundError when the service has none."""
    found = yield from find_by_external_id(external_id, options, policy)
    if found is None:
        raise NotFoundError(
            f"no task has external_task_id {external_id!r}",
            status_code=None,
            code=None,
            request_id=None,
        )
    return found


def create_once(
    operation: Operation[Task],
    external_id: str,
    options: CallOptions,
    policy: RetryPolicy,
    *,
    caller_id: bool,
) -> Flow[Task]:
    """Create a task exactly once, however many attempts it takes.

    Every attempt carries the same external_task_id. When an attempt may have reached the
    service (a timeout, a dropped answer, a 5xx) and the outcome is then an error (the service
    refusing the id as a duplicate, or retries running out), the task is looked up by that id:
    found, it is returned; not found, the error is raised with `task_created = False`. A
    caller's own id (`caller_id`) is an idempotency key across calls too: when the service
    refuses a create carrying it, the task it already names is returned.
    """
    trail: list[KlingEditError] = []
    try:
        task: Task = yield from call(operation, options, policy, trail)
        return task
    except KlingEditError as error:
        # The service does not say which 400 is "duplicate id", so any refusal of a caller's
        # id is checked; a client-made uuid cannot collide, so its refusals are taken as given.
        duplicate = caller_id and isinstance(error, BadRequestError)
        if not duplicate and not any(maybe_delivered(earlier) for earlier in trail):
            error.task_created = False
            error.external_task_id = external_id
            raise
        try:
            found = yield from find_by_external_id(external_id, options, policy)
        except KlingEditError as lookup_error:
            error.task_created = None
            error.external_task_id = external_id
            error.add_note(
                f"the task may have been created: look it up later with"
                f" get_by_external_id({external_id!r}) (lookup failed: {lookup_error})"
            )
            raise error from lookup_error
        if found is not None:
            return found
        error.task_created = False
        error.external_task_id = external_id
        raise


def wait_for(
    task_id: str,
    *,
    timeout: float,
    schedule: PollSchedule,
    on_progress: Callable[[Task], object] | None,
    options: CallOptions,
    policy: RetryPolicy,
    clock: Callable[[], float],
) -> Flow[Task]:
    """Poll until the task finishes, the deadline passes, or a poll fails for good.

    Transient poll failures (connection, rate limit, server errors) are ridden out until the
    deadline. No poll outlives the deadline: each gets the time left (the clients enforce it
    wall-clock), and the last one is sent early enough to answer before it.
    """
    deadline = clock() + timeout
    last: Task | None = None
    operation = get_task(task_id)
    last_poll = False
    for delay in schedule.delays():
        budget = min(deadline - clock(), attempt_budget(options.timeout) or timeout)
        if budget > 0:
            try:
                task: Task = yield from call(
                    operation, evolve(options, timeout=budget, max_retries=0), policy
                )
            except (APIConnectionError, APIError) as error:
                # What a call would retry is what a wait rides out (408 and 409 included).
                if not is_retryable(error, replay_safe=True):
                    raise
            else:
                if on_progress is not None and (last is None or task.status != last.status):
                    on_progress(task)
                last = task
                if task.is_succeeded:
                    return task
                if task.is_failed:
                    raise TaskFailedError(task)
        remaining = deadline - clock()
        if last_poll or remaining <= 0:
            if remaining > 0:  # the task still has until the deadline; so does the caller
                yield Sleep(remaining)
            raise WaitTimeoutError(task_id, timeout, last)
        pause = delay
        reserve = min(delay, LAST_POLL_RESERVE)
        if delay + reserve >= remaining:
            # The next poll is the last: send it early enough that it can answer in time.
            pause, last_poll = max(remaining - reserve, 0.0), True
        yield Sleep(pause)
    raise AssertionError("unreachable")  # PollSchedule.delays() never ends
