"""`KlingEdit` and `AsyncKlingEdit`: the only places that send requests and sleep.

Both run the flows of `_steps` (built by `_operations`, `_retry` and `_flows`) and differ only
in how they perform a `Send` or a `Sleep`.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

import httpx

if TYPE_CHECKING:
    from .testing import Simulator

from ._auth import CredentialsAuth
from ._book import SessionBook
from ._deadline import bounded, deadline, keep_deadlines
from ._errors import KlingEditError, RequestValidationError
from ._flows import PollSchedule
from ._limits import (
    DEFAULT_MAX_IN_FLIGHT,
    AsyncTaskSlots,
    InFlightLimit,
    TaskSlots,
    check_limit,
)
from ._models import Task
from ._providers import PROVIDERS, ProviderName, credentials_for, provider_named
from ._retry import RetryPolicy, call
from ._rules import check_request_options
from ._sessions import AsyncSessions, Sessions
from ._steps import CallOptions, Flow, FlowFactory, Operation, RequestOptions, Send, Sleep
from ._tasks import AsyncTasks, Tasks
from ._version import __version__

__all__ = ["DEFAULT_BASE_URL", "AsyncKlingEdit", "KlingEdit"]

T = TypeVar("T")

DEFAULT_BASE_URL = PROVIDERS["cometapi"].default_base_url
DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_RETRIES = 2
API_KEY_ENV = PROVIDERS["cometapi"].api_key_env
BASE_URL_ENV = PROVIDERS["cometapi"].base_url_env
SIMULATOR_KEY = "sk-simulator"
# Idle connections kept as many as connections allowed: a pool keeping fewer (httpx keeps 20)
# reconnects constantly under a 32-thread or many-task load.
POOL_LIMITS = httpx.Limits(
    max_connections=DEFAULT_MAX_IN_FLIGHT, max_keepalive_connections=DEFAULT_MAX_IN_FLIGHT
)

logger = logging.getLogger("kling_edit")


class _BaseClient:
    """Configuration and request building shared by the sync and async clients."""

    def __init__(
        self,
        credentials: tuple[str | None, str | None, str | None],
        provider: ProviderName,
        base_url: str | None,
        timeout: float | httpx.Timeout,
        max_retries: int,
        poll_schedule: PollSchedule | None,
        default_headers: Mapping[str, str] | None,
    ) -> None:
        self._provider = provider_named(provider)
        self.provider = self._provider.name
        # Sets the Authorization header as each request goes out: access-key tokens expire.
        self._auth = CredentialsAuth(credentials_for(self._provider, *credentials))
        if not isinstance(max_retries, int) or isinstance(max_retries, bool) or max_retries < 0:
            raise KlingEditError(f"max_retries must be a non-negative integer, got {max_retries!r}")
        self.base_url = self._provider.host(base_url)
        self._set_defaults(timeout, max_retries)
        self.poll_schedule = poll_schedule or PollSchedule()
        # Built once: most calls add no headers of their own and reuse these as they are.
        self._base_headers = httpx.Headers({"User-Agent": f"kling-edit-python/{__version__}"})
        self._base_headers.update(check_request_options(None, 0, default_headers or {}))
        self._policy = RetryPolicy()
        self._book = SessionBook()
        self._owns_http = False

    def __repr__(self) -> str:
        return f"{type(self).__name__}(provider={self.provider!r}, base_url={self.base_url!r})"

    def _options(self, overrides: RequestOptions) -> CallOptions:
        if not overrides:  # the common case, checked once when the client was made
            return self._defaults
        timeout = overrides.get("timeout", self.timeout)
        max_retries = overrides.get("max_retries", self.max_retries)
        headers = check_request_options(timeout, max_retries, overrides.get("extra_headers", {}))
        return CallOptions(timeout=timeout, max_retries=max_retries, headers=headers)

    def _set_defaults(self, timeout: float | httpx.Timeout, max_retries: int) -> None:
        self.timeout = timeout
        self.max_retries = max_retries
        check_request_options(timeout, max_retries, {})
        self._defaults = CallOptions(timeout=timeout, max_retries=max_retries)

    def _request_args(self, step: Send) -> dict[str, Any]:
        operation = step.operation
        return {
            "method": operation.method,
            "url": self.base_url + self._provider.path(operation.path),
            "json": operation.json,
            "params": operation.params,
            "timeout": step.options.timeout,
            "headers": self._headers(step.options.headers),
            "auth": self._auth,
        }

    def _headers(self, extra: Mapping[str, str]) -> httpx.Headers:
        if not extra:
            return self._base_headers
        # httpx.Headers merges names case-insensitively: a caller's "user-agent" replaces the
        # default instead of going out as a second header; `self._auth` then sets Authorization
        # over any the caller gave.
        headers = self._base_headers.copy()
        headers.update(extra)
        return headers

    def _flow(self, work: Operation[T] | FlowFactory[T], options: RequestOptions) -> Flow[T]:
        """The flow of one API method call: one operation retried, or a multi-step flow."""
        self._check_open()
        settled = self._options(options)
        if isinstance(work, Operation):
            return call(work, settled, self._policy)
        return work(settled, self._policy)

    def _check_open(self) -> None:
        # httpx would raise a bare RuntimeError; an injected http_client closed by its owner
        # counts too.
        if self._is_closed():
            raise KlingEditError(
                f"this {type(self).__name__} is closed: make a new client (or use it inside"
                " its `with` block)"
            )

    @staticmethod
    def _log_exchange(
        step: Send, response: httpx.Response | None, error: BaseException | None, started: float
    ) -> None:
        if not logger.isEnabledFor(logging.DEBUG):
            return
        if response is not None:
            outcome = (
                f"{response.status_code} request_id={response.headers.get('x-request-id', '-')}"
            )
        else:
            outcome = f"failed ({type(error).__name__})"
        # Method, path, outcome and timing only: never headers or bodies (key, images).
        logger.debug(
            "%s %s -> %s attempt=%d elapsed=%.3fs",
            step.operation.method,
            step.operation.path,
            outcome,
            step.attempt + 1,
            time.monotonic() - started,
        )

    @classmethod
    def simulated(
        cls,
        simulator: Simulator | None = None,
        *,
        provider: ProviderName | None = None,
        **kwargs: Any,
    ) -> Self:
        """A client wired in-process to the offline simulator of `kling_edit.testing`.

        Needs no key and no network: the whole workflow runs against a fresh `Simulator` of
        `provider` (CometAPI by default), or the one given, whose provider the client takes;
        this is how `make demo` and the CLI's `--simulator` work.
        """
        from .testing import Simulator

        sim = simulator if simulator is not None else Simulator(provider=provider or "cometapi")
        if provider is not None and provider != sim.provider:
            raise RequestValidationError(
                "provider", f"is {provider!r} but the simulator given plays {sim.provider!r}"
            )
        kwargs["provider"] = sim.provider
        if not {"api_key", "access_key", "secret_key"} & kwargs.keys():
            kwargs["api_key"] = SIMULATOR_KEY
        kwargs.setdefault("base_url", sim.base_url)
        owns_http = "http_client" not in kwargs
        kwargs.setdefault("http_client", cls._http_client_for(sim))
        client = cls(**kwargs)
        client._owns_http = owns_http
        return client

    @staticmethod
    def _http_client_for(simulator: Simulator) -> Any:
        raise NotImplementedError

    def _bind_resources(self) -> None:
        raise NotImplementedError

    def _is_closed(self) -> bool:
        raise NotImplementedError

    def with_options(
        self, *, timeout: float | httpx.Timeout | None = None, max_retries: int | None = None
    ) -> Self:
        """A client sharing this one's connections, with other defaults."""
        clone = copy.copy(self)
        clone._set_defaults(
            timeout if timeout is not None else self.timeout,
            max_retries if max_retries is not None else self.max_retries,
        )
        clone._owns_http = False
        clone._bind_resources()
        return clone


class KlingEdit(_BaseClient):
    """Client for Kling's multi-elements video editing API, through CometAPI or Kling's own host.

    >>> client = KlingEdit()  # the key comes from COMETAPI_KEY
    >>> session = client.sessions.init(video_url="https://example.com/clip.mp4")

    `provider="kling"` talks to Kling's own host (https://api-singapore.klingai.com) with
    `api_key=` (or KLING_API_KEY), or `access_key=` and `secret_key=` (or KLING_ACCESS_KEY and
    KLING_SECRET_KEY), sent as short-lived tokens. `base_url=` (or COMETAPI_BASE_URL /
    KLING_BASE_URL) changes the host, not the provider's paths.

    Pass `http_client` to reuse your own `httpx.Client` (it is not closed by this client).
    Use it as a context manager, or call `close()`, to release connections it opened.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        provider: ProviderName = "cometapi",
        access_key: str | None = None,
        secret_key: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.Client | None = None,
        poll_schedule: PollSchedule | None = None,
        default_headers: Mapping[str, str] | None = None,
        max_concurrent_tasks: int | None = None,
    ) -> None:
        super().__init__(
            (api_key, access_key, secret_key),
            provider,
            base_url,
            timeout,
            max_retries,
            poll_schedule,
            default_headers,
        )
        limit = check_limit("max_concurrent_tasks", max_concurrent_tasks)
        self._task_slots = TaskSlots(limit) if limit is not None else None
        self._owns_http = http_client is None
        http = (
            http_client
            if http_client is not None
            else httpx.Client(timeout=timeout, limits=POOL_LIMITS)
        )
        self._http = keep_deadlines(http)
        self._bind_resources()

    @staticmethod
    def _http_client_for(simulator: Simulator) -> httpx.Client:
        return httpx.Client(transport=simulator.transport())

    def _bind_resources(self) -> None:
        self.sessions = Sessions(self)
        self.tasks = Tasks(self)

    def _is_closed(self) -> bool:
        return self._http.is_closed

    def _call(self, work: Operation[T] | FlowFactory[T], options: RequestOptions) -> T:
        """Run one API method call: what every resource method comes down to."""
        slots = self._task_slots
        if slots is None:
            return self._run(self._flow(work, options))
        try:
            result = self._run(self._flow(work, options))
        except KlingEditError as error:
            slots.seen(error)
            raise
        slots.seen(result)
        return result

    def _create(self, work: FlowFactory[Task], options: RequestOptions) -> Task:
        """Run a create in a free task slot; a 1303 refusal waits for one and tries again."""
        if self._task_slots is None:
            return self._call(work, options)
        return self._task_slots.create(lambda: self._call(work, options), self._sleep)

    def _run(self, flow: Flow[T]) -> T:
        # The one loop that drives a flow (as httpx drives an auth flow): each step's outcome,
        # an answer or a transport error, is sent or thrown back into the flow.
        response: httpx.Response | None = None
        error: httpx.RequestError | None = None
        try:
            while True:
                try:
                    step = flow.send(response) if error is None else flow.throw(error)
                except StopIteration as stop:
                    result: T = stop.value
                    return result
                response = error = None
                if isinstance(step, Sleep):
                    self._sleep(step.seconds)
                    continue
                started = time.monotonic()
                try:
                    with deadline(step.budget):
                        response = self._http.request(**self._request_args(step))
                except httpx.RequestError as transport_error:
                    error = transport_error
                self._log_exchange(step, response, error, started)
        finally:
            flow.close()

    def _sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def close(self) -> None:
        """Close the connections this client opened (an injected http_client stays open)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class AsyncKlingEdit(_BaseClient):
    """The asyncio twin of `KlingEdit`: the same methods, awaited.

    One client can run thousands of `tasks.wait` calls at once: at most `max_in_flight`
    requests (100, the pool's size, by default) are sent at a time, the others wait their turn.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        provider: ProviderName = "cometapi",
        access_key: str | None = None,
        secret_key: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.AsyncClient | None = None,
        poll_schedule: PollSchedule | None = None,
        default_headers: Mapping[str, str] | None = None,
        max_concurrent_tasks: int | None = None,
        max_in_flight: int | None = DEFAULT_MAX_IN_FLIGHT,
    ) -> None:
        super().__init__(
            (api_key, access_key, secret_key),
            provider,
            base_url,
            timeout,
            max_retries,
            poll_schedule,
            default_headers,
        )
        limit = check_limit("max_concurrent_tasks", max_concurrent_tasks)
        self._task_slots = AsyncTaskSlots(limit) if limit is not None else None
        self._in_flight = InFlightLimit(check_limit("max_in_flight", max_in_flight))
        self._owns_http = http_client is None
        self._http = (
            http_client
            if http_client is not None
            else httpx.AsyncClient(timeout=timeout, limits=POOL_LIMITS)
        )
        self._made_http = http_client is None  # simulated() clients get theirs injected
        self._loop: object = None
        self._loop_changed = False
        self._bind_resources()

    @staticmethod
    def _http_client_for(simulator: Simulator) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=simulator.transport())

    def _bind_resources(self) -> None:
        self.sessions = AsyncSessions(self)
        self.tasks = AsyncTasks(self)

    def _is_closed(self) -> bool:
        return self._http.is_closed

    async def _call(self, work: Operation[T] | FlowFactory[T], options: RequestOptions) -> T:
        """Run one API method call: what every resource method comes down to."""
        slots = self._task_slots
        if slots is None:
            return await self._run(self._flow(work, options))
        try:
            result = await self._run(self._flow(work, options))
        except KlingEditError as error:
            await slots.seen(error)
            raise
        await slots.seen(result)
        return result

    async def _create(self, work: FlowFactory[Task], options: RequestOptions) -> Task:
        """Run a create in a free task slot; see `KlingEdit._create`."""
        if self._task_slots is None:
            return await self._call(work, options)
        return await self._task_slots.create(lambda: self._call(work, options), self._sleep)

    async def _run(self, flow: Flow[T]) -> T:
        # The twin of KlingEdit._run, awaiting the request and the sleep.
        response: httpx.Response | None = None
        error: httpx.RequestError | None = None
        try:
            while True:
                try:
                    step = flow.send(response) if error is None else flow.throw(error)
                except StopIteration as stop:
                    result: T = stop.value
                    return result
                response = error = None
                if isinstance(step, Sleep):
                    await self._sleep(step.seconds)
                    continue
                started = time.monotonic()
                try:
                    response = await self._send(step)
                except httpx.RequestError as transport_error:
                    error = transport_error
                self._log_exchange(step, response, error, started)
        finally:
            flow.close()

    async def _send(self, step: Send) -> httpx.Response:
        import asyncio  # here, not at the top: it doubles `import kling_edit` time

        self._follow_event_loop(asyncio.get_running_loop())
        try:
            async with self._in_flight():
                return await bounded(self._http.request(**self._request_args(step)), step.budget)
        except RuntimeError as error:
            if self._loop_changed:
                raise KlingEditError(
                    "this AsyncKlingEdit's http_client holds connections of an event loop that"
                    " is gone (each asyncio.run() starts a new one): make the client, or pass a"
                    " new http_client, inside the asyncio.run() that uses it"
                ) from error
            raise

    def _follow_event_loop(self, loop: object) -> None:
        # httpx's pooled connections belong to the event loop that opened them: a client reused
        # by a second asyncio.run() would fail on them with "Event loop is closed". One this
        # client made is replaced (the old connections died with their loop).
        if self._loop is loop:
            return
        self._loop_changed = self._loop is not None
        self._loop = loop
        if self._loop_changed and self._owns_http and self._made_http:
            self._http = httpx.AsyncClient(timeout=self.timeout, limits=POOL_LIMITS)
            self._loop_changed = False

    async def _sleep(self, seconds: float) -> None:
        import asyncio  # here, not at the top: it doubles `import kling_edit` time

        await asyncio.sleep(seconds)

    async def close(self) -> None:
        """Close the connections this client opened (an injected http_client stays open)."""
        import asyncio

        # Connections of an earlier event loop died with it and cannot be closed from this one.
        self._follow_event_loop(asyncio.get_running_loop())
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()
