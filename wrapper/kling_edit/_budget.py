"""The overall deadline of one API call: when it ends, what each attempt and pause may use of it.

A float `timeout` (or the client's default) is the whole call's wall-clock budget, retries,
back-off and create-once's lookups included. An `httpx.Timeout` keeps httpx's per-phase meaning
for each attempt, and its largest phase bounds the call. `wait()` gives each poll its own
deadline, and downloads bound each network operation: neither starts one here.
Nothing else lives here.
"""

from __future__ import annotations

import time

import httpx

from ._deadline import attempt_budget
from ._errors import APITimeoutError, KlingEditError
from ._steps import CallOptions


def call_budget(timeout: float | httpx.Timeout | None) -> float | None:
    """Seconds a whole call may take: a float is that; an `httpx.Timeout` its largest phase."""
    if isinstance(timeout, httpx.Timeout):
        phases = [timeout.connect, timeout.read, timeout.write, timeout.pool]
        set_phases = [seconds for seconds in phases if seconds is not None]
        return max(set_phases) if set_phases else None
    return timeout


def started(options: CallOptions) -> CallOptions:
    """`options` with the call's deadline set from now, unless a deadline is already running
    (a lookup inside a create lives within the create's)."""
    budget = call_budget(options.timeout)
    if options.deadline is not None or budget is None:
        return options
    return CallOptions(
        options.timeout, options.max_retries, options.headers, time.monotonic() + budget
    )


def time_left(options: CallOptions) -> float | None:
    """Seconds until the call's deadline (negative once past it); None: no deadline."""
    return None if options.deadline is None else options.deadline - time.monotonic()


def attempt_time(options: CallOptions) -> float | None:
    """What the next attempt may take: its own budget, cut to what the call has left."""
    own = attempt_budget(options.timeout)
    left = time_left(options)
    if left is None:
        return own
    return left if own is None else min(own, left)


def fits(options: CallOptions, pause: float) -> bool:
    """Would an attempt after a pause of `pause` seconds still start before the deadline?"""
    left = time_left(options)
    return left is None or pause < left


def require_time(name: str, options: CallOptions) -> None:
    """Refuse to send `name` once the call's deadline has passed (nothing leaves the process)."""
    left = time_left(options)
    if left is not None and left <= 0:
        raise APITimeoutError(
            f"{name} was not sent: {_the_timeout(options)} had run out", maybe_delivered=False
        )


def no_time_for_retry(error: KlingEditError, options: CallOptions) -> None:
    """Say in `error`'s message that the deadline, not the retry policy, ended the call."""
    why = f"{_the_timeout(options)} left no time for another attempt"
    error.message = f"{error.message}; {why}"
    # str(error) is its first argument: the message, plus the answer's details on an APIError.
    first, *rest = error.args
    error.args = (f"{first}; {why}", *rest)


def _the_timeout(options: CallOptions) -> str:
    return f"the call's timeout ({call_budget(options.timeout):g} s)"
