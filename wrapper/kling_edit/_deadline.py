"""Wall-clock deadlines for one request attempt: its budget, and how the sync client keeps it.

httpx's timeouts bound each network operation, not the exchange: a server sending one byte
every 0.3 s restarts them with every byte and holds a request for minutes. The async client
cancels an attempt with `asyncio.timeout`; a blocking read cannot be cancelled, so the sync
client's connections get a network backend (`_deadline_backend`) that bounds every socket
operation (connect, TLS, each read and write) by the time left before the attempt's deadline.
Nothing else lives here.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Awaitable

import httpx

# Absolute time.monotonic() by which the current attempt in this thread must end.
_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "kling_edit_deadline", default=None
)


def attempt_budget(timeout: float | httpx.Timeout | None) -> float | None:
    """Seconds one attempt may take, from connecting to the last byte of the answer.

    A float is that budget. An `httpx.Timeout` keeps httpx's meaning for each phase, and the
    attempt as a whole gets the sum of the phases it sets. None: no bound.
    """
    if isinstance(timeout, httpx.Timeout):
        phases = [timeout.connect, timeout.read, timeout.write, timeout.pool]
        set_phases = [seconds for seconds in phases if seconds is not None]
        return sum(set_phases) if set_phases else None
    return timeout


def start_deadline(budget: float | None) -> contextvars.Token[float | None] | None:
    """Bound the socket operations of this thread's sync requests to `budget` seconds from now,
    until `end_deadline` is given what this returns (None: no bound, nothing to end).

    A pair of calls, not a context manager: it runs around every sync request, and this costs a
    fraction of entering and leaving one.
    """
    return None if budget is None else _deadline.set(time.monotonic() + budget)


def end_deadline(token: contextvars.Token[float | None] | None) -> None:
    """Restore the deadline that held before `start_deadline` returned `token`."""
    if token is not None:
        _deadline.reset(token)


async def bounded(request: Awaitable[httpx.Response], budget: float | None) -> httpx.Response:
    """Await `request`, cancelled once `budget` seconds have passed (then httpx.ReadTimeout)."""
    import asyncio  # here, not at the top: it doubles `import kling_edit` time

    scope = asyncio.timeout(budget)
    try:
        async with scope:
            return await request
    except TimeoutError:
        if not scope.expired():
            raise
        # Like any read timeout, the request may have been processed.
        raise httpx.ReadTimeout("the request ran past its wall-clock deadline") from None


def time_left(timeout: float | None, expired: type[Exception]) -> float | None:
    """The timeout for the next socket operation: httpx's own, cut to what the deadline leaves."""
    end = _deadline.get()
    if end is None:
        return timeout
    left = end - time.monotonic()
    if left <= 0:
        raise expired("the request ran past its wall-clock deadline")
    return left if timeout is None else min(timeout, left)


def keep_deadlines(client: httpx.Client) -> httpx.Client:
    """`client`, its connections now keeping the deadlines of `start_deadline`.

    Inert outside it: an injected client's other users see httpx's behaviour unchanged. httpx
    offers no public hook for the network backend, so its transports' httpcore pools are reached
    through their private `_pool`; a transport without one (a mock, a custom transport) keeps
    httpx's per-operation timeouts only.
    """
    pools = [
        pool
        for transport in [client._transport, *client._mounts.values()]  # the mounts: env proxies
        if (pool := getattr(transport, "_pool", None)) is not None
    ]
    if pools:
        # Only here: httpcore (with h11, anyio, certifi) is loaded by httpx's own transports, so
        # a client on a mock or custom transport never pays for importing it.
        from ._deadline_backend import keep_deadlines_in

        for pool in pools:
            keep_deadlines_in(pool)
    return client
