"""Multi-step flows: creating a task exactly once, finding it by external id, waiting for it.

Each is a generator of `_steps` run by either client; nothing else lives here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import NamedTuple

from attrs import frozen

from ._budget import fits, no_time_for_retry, started
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


class Lookup(NamedTuple):
    """What a search by external id found: the task, or None with whether that proves absence.

    A named tuple, as the flow's steps are: `import kling_edit` builds no attrs class for it.
    """

    task: Task | None
    # False when the search could not cover every task: "not found" then proves nothing.
    complete: bool


def find_by_external_id(
    external_id: str, options: CallOptions, policy: RetryPolicy
) -> Flow[Lookup]:
    """Search for the task created with `external_id`.

    Kling documents `GET /{id}` with an external_task_id; UNSURE in the facts whether CometAPI
    does, so its 404 proves absence only once the route is seen to take external ids (it finds
    another listed task by its own external id); otherwise the task list is scanned, newest
    first, `LOOKUP_PAGES` pages deep.
    """
    options = started(options)  # every page of the search shares one deadline
    get_said_absent = False
    try:
        task: Task = yield from call(get_task(external_id, "external_task_id"), options, policy)
        if task.external_task_id in (None, external_id):
            return Lookup(task, complete=True)
    except NotFoundError:
        get_said_absent = True
    for page in range(1, LOOKUP_PAGES + 1):
        tasks: list[Task] = yield from call(list_tasks(page, LOOKUP_PAGE_SIZE), options, policy)
        for candidate in tasks:
            if candidate.external_task_id == external_id:
                return Lookup(candidate, complete=True)
        if len(tasks) < LOOKUP_PAGE_SIZE:
            return Lookup(None, complete=True)
        if page == 1 and get_said_absent:
            takes_them = yield from _get_takes_external_ids(tasks, options, policy)
            if takes_them:
                return Lookup(None, complete=True)
    return Lookup(None, complete=False)


def _get_takes_external_ids(
    listed: list[Task], options: CallOptions, policy: RetryPolicy
) -> Flow[bool]:
    """Does `GET /{id}` find a listed task by its external id (so that its 404 is an answer)?"""
    known = next((task for task in listed if task.external_task_id), None)
    if known is None or known.external_task_id is None:
        return False
    try:
        found: Task = yield from call(
            get_task(known.external_task_id, "external_task_id"), options, policy
        )
    except NotFoundError:
        return False
    return found.task_id == known.task_id


def require_by_external_id(
    external_id: str, options: CallOptions, policy: RetryPolicy
) -> Flow[Task]:
    """The task created with `external_id`; NotFoundError when the search does not find it."""
    found = yield from find_by_external_id(external_id, options, policy)
    if found.task is not None:
        return found.task
    searched = (
        ""
        if found.complete
        else f" among the newest {LOOKUP_PAGES * LOOKUP_PAGE_SIZE} tasks (older ones were not"
        " searched: the service did not answer GET by external id)"
    )
    raise NotFoundError(
        f"no task has external_task_id {external_id!r}{searched}",
        status_code=None,
        code=None,
        request_id=None,
    )


def create_once(
    operation: Operation[Task],
    external_id: str,
    options: CallOptions,
    policy: RetryPolicy,
    *,
    caller_id: bool,
) -> Flow[Task]:
    """Create a task exactly once, however many attempts it takes.

    Every attempt carries the same external_task_id, but no attempt relies on the service
    refusing a duplicate (Kling only asks callers to keep the id unique). An attempt that may
    have reached the service (a timeout, a dropped or unreadable answer, a 5xx) is followed by
    a search for the task by that id BEFORE anything is sent again: found, it is returned;
    proven absent, the create is resent while retries last; otherwise the error is raised with
    `task_created = None`. Errors say `task_created = False` only when no task can exist. A
    caller's own id (`caller_id`) is an idempotency key across calls too: when the service
    refuses a create carrying it, the task it already names is returned.
    """
    # `create_task_operation` builds a create replay_safe=False: `call` resends it only when the
    # service proves it did nothing, and leaves the rest to this flow.
    # Attempts, pauses and lookups all live within the call's one deadline: a lookup it leaves
    # no time for fails, and the task is then reported unknown, never absent.
    options = started(options)
    failures: list[KlingEditError] = []
    while True:
        # The first attempt (nearly always the only one) takes the options as they are.
        budget = (
            options._replace(max_retries=options.max_retries - len(failures))
            if failures
            else options
        )
        try:
            task: Task = yield from call(operation, budget, policy, failures)
            return task
        except KlingEditError as error:
            error.external_task_id = external_id
            # The service does not say which 400 is "duplicate id", so a refusal is searched for
            # when the id may already name a task: the caller's own id, or a resend after an
            # attempt that may have landed (its search may have missed a task the list did not
            # show yet). Any other refusal comes from attempts that did nothing.
            may_be_duplicate = isinstance(error, BadRequestError) and (
                caller_id or any(maybe_delivered(earlier) for earlier in failures[:-1])
            )
            if not maybe_delivered(error) and not may_be_duplicate:
                error.task_created = False
                raise
            try:
                found = yield from find_by_external_id(external_id, options, policy)
            except KlingEditError as lookup_error:
                _unknown(error, f"the search for it failed: {lookup_error}")
                raise error from lookup_error
            if found.task is not None:
                return found.task
            if not found.complete:
                _unknown(
                    error, "it is not among the newest tasks, but older ones were not searched"
                )
                raise
            error.task_created = False
            # Proven absent, so a resend cannot duplicate it: what a read would retry, may be.
            wait = error.retry_after if isinstance(error, APIError) else None
            if (
                len(failures) > options.max_retries
                or not is_retryable(error, replay_safe=True)
                or not policy.allows(wait)
            ):
                raise
            pause = policy.delay(len(failures) - 1, wait)
            if not fits(options, pause):
                no_time_for_retry(error, options)
                raise
            yield Sleep(pause)


def _unknown(error: KlingEditError, why: str) -> None:
    error.task_created = None
    error.add_note(
        f"the task may have been created ({why}): look it up later with"
        f" get_by_external_id({error.external_task_id!r})"
    )


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
                    operation, options._replace(timeout=budget, max_retries=0), policy
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
