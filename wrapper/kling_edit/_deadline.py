"""Wall-clock deadlines for one request attempt: its budget, and how the sync client keeps it.

httpx's timeouts bound each network operation, not the exchange: a server sending one byte
every 0.3 s restarts them with every byte and holds a request for minutes. The async client
cancels an attempt with `asyncio.timeout`; a blocking read cannot be cancelled, so the sync
client's connections get a network backend that bounds every socket operation (connect, TLS,
each read and write) by the time left before the attempt's deadline.
Nothing else lives here.
"""

from __future__ import annotations

import contextlib
import contextvars
import ssl
import time
import typing
from collections.abc import Awaitable, Iterable, Iterator

import httpcore
import httpx

_WRITE_SLICE = 65536
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


@contextlib.contextmanager
def deadline(budget: float | None) -> Iterator[None]:
    """Bound the socket operations of the sync requests made inside to `budget` seconds."""
    if budget is None:
        yield
        return
    token = _deadline.set(time.monotonic() + budget)
    try:
        yield
    finally:
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


def _time_left(timeout: float | None, expired: type[Exception]) -> float | None:
    """The timeout for the next socket operation: httpx's own, cut to what the deadline leaves."""
    end = _deadline.get()
    if end is None:
        return timeout
    left = end - time.monotonic()
    if left <= 0:
        raise expired("the request ran past its wall-clock deadline")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _time_left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        # One write can be a whole request body (base64 images): sent in slices, so that a
        # server reading slowly meets the deadline between them too.
        for start in range(0, len(buffer), _WRITE_SLICE):
            piece = buffer[start : start + _WRITE_SLICE]
            self._inner.write(piece, _time_left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        left = _time_left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, left))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        left = _time_left(timeout, httpcore.ConnectTimeout)
        stream = self._inner.connect_tcp(host, port, left, local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        left = _time_left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.connect_unix_socket(path, left, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def keep_deadlines(client: httpx.Client) -> httpx.Client:
    """`client`, its connections now keeping the deadlines of `deadline()`.

    Inert outside it: an injected client's other users see httpx's behaviour unchanged. httpx
    offers no public hook for the network backend, so its transports' httpcore pools are reached
    through their private `_pool`; a transport without one (a mock, a custom transport) keeps
    httpx's per-operation timeouts only.
    """
    for transport in [client._transport, *client._mounts.values()]:  # the mounts: env proxies
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, httpcore.NetworkBackend) and not isinstance(
            backend, _DeadlineBackend
        ):
            pool._network_backend = _DeadlineBackend(backend)  # type: ignore[union-attr]
    return client
