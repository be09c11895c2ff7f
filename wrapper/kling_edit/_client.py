"""`KlingEdit` and `AsyncKlingEdit`: the only places that send requests and sleep.

Both run the flows of `_steps` (built by `_operations`, `_retry` and `_flows`) and differ only
in how they perform a `Send` or a `Sleep`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Self, TypeVar

import httpx

if TYPE_CHECKING:
    from .testing import Simulator

from ._base_client import (
    DEFAULT_BASE_URL,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    POOL_LIMITS,
    BaseClient,
)
from ._budget import attempt_time
from ._deadline import bounded, end_deadline, keep_deadlines, start_deadline
from ._errors import KlingEditError
from ._flows import PollSchedule
from ._limits import (
    DEFAULT_MAX_IN_FLIGHT,
    AsyncTaskSlots,
    InFlightLimit,
    TaskSlots,
    check_limit,
)
from ._models import Task
from ._providers import ProviderName
from ._sessions import AsyncSessions, Sessions
from ._steps import Flow, FlowFactory, Operation, RequestOptions, Send, Sleep
from ._tasks import AsyncTasks, Tasks

__all__ = ["DEFAULT_BASE_URL", "AsyncKlingEdit", "KlingEdit"]

T = TypeVar("T")


class KlingEdit(BaseClient):
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
                bound = start_deadline(attempt_time(step.options))
                try:
                    response = self._http.request(**self._request_args(step))
                except httpx.RequestError as transport_error:
                    error = transport_error
                finally:
                    end_deadline(bound)
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


class AsyncKlingEdit(BaseClient):
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
                request = self._http.request(**self._request_args(step))
                return await bounded(request, attempt_time(step.options))
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
