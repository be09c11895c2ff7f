"""A single call's `timeout` is its overall deadline: every attempt, every back-off pause and
create-once's lookup live within it; a retry that could not start before it is not made.

Sync and async alike: a real trickling server on 127.0.0.1 (real time), and MockTransport
handlers on the virtual `clock` (a handler moves it to stand for an attempt's duration).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from test_trickle_deadlines import TricklingServer

from kling_edit import APITimeoutError, KlingEditError, ServerError, Task
from proof_helpers import client_class, close, invoke
from wrapper_helpers import (
    PROMPT,
    SESSION_ID,
    TASK_ID,
    MakeApi,
    VirtualClock,
    envelope,
    error_body,
    task_data,
)

NO_TIME_FOR_RETRY = "left no time for another attempt"
Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture(params=["headers", "body"])
def trickling(request: pytest.FixtureRequest) -> Iterator[TricklingServer]:
    server = TricklingServer(request.param)
    yield server
    server.close()


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("where", ["per-call", "client-default"])
async def test_get_with_default_retries_ends_at_its_timeout_against_a_trickle(
    kind: str, where: str, trickling: TricklingServer
) -> None:
    # Default max_retries (2): each attempt used to get the whole 2 s again, ~6 s plus back-off.
    per_call: dict[str, Any] = {"timeout": 2.0} if where == "per-call" else {}
    client_default: dict[str, Any] = {} if where == "per-call" else {"timeout": 2.0}
    client = client_class(kind)(api_key="sk-test", base_url=trickling.base_url, **client_default)
    started = time.monotonic()
    try:
        with pytest.raises(APITimeoutError) as caught:
            await invoke(client, "tasks.get", TASK_ID, **per_call)
    finally:
        elapsed = time.monotonic() - started
        await close(client)
    assert elapsed <= 2.5, f"{elapsed:.2f} s"
    assert NO_TIME_FOR_RETRY in str(caught.value)


def _answers(clock: VirtualClock, *outcomes: httpx.Response) -> tuple[Handler, list[float]]:
    """A handler giving `outcomes` in turn, and the virtual times at which requests came."""
    times: list[float] = []

    def handle(request: httpx.Request) -> httpx.Response:
        times.append(clock.now)
        return outcomes[len(times) - 1]

    return handle, times


def _busy(**headers: str) -> httpx.Response:
    return httpx.Response(503, json=error_body(5000, "busy"), headers=headers)


def _ok() -> httpx.Response:
    return httpx.Response(200, json=envelope(task_data()))


@pytest.mark.parametrize(
    ("timeout", "headers"),
    [(0.3, {}), (2.0, {"Retry-After": "3"}), (2.0, {"Retry-After": "2"})],
    ids=["back-off-0.375-0.5s", "retry-after-past-it", "retry-after-at-it"],
)
async def test_a_retry_whose_pause_would_end_past_the_deadline_is_not_made(
    make_api: MakeApi,
    clock: VirtualClock,
    timeout: float,
    headers: dict[str, str],
) -> None:
    handler, times = _answers(clock, _busy(**headers), _ok())
    api = make_api(handler=handler)

    with pytest.raises(ServerError) as caught:
        await api("tasks.get", TASK_ID, timeout=timeout)

    assert times == [0.0]  # one attempt
    assert clock.sleeps == []  # raised at once, no pause first
    assert NO_TIME_FOR_RETRY in str(caught.value)
    assert f"timeout ({timeout:g} s)" in caught.value.message


async def test_a_retry_that_fits_is_still_made(make_api: MakeApi, clock: VirtualClock) -> None:
    # The control: a 1 s Retry-After inside a 2 s timeout.
    handler, times = _answers(clock, _busy(**{"Retry-After": "1"}), _ok())
    api = make_api(handler=handler)

    task = await api("tasks.get", TASK_ID, timeout=2.0)

    assert isinstance(task, Task)
    assert times == [0.0, 1.0]


async def test_the_deadline_spans_all_attempts_not_each(
    make_api: MakeApi, clock: VirtualClock
) -> None:
    # 1 s in all: the first pause (0.375-0.5 s) fits; the second (0.75-1 s) would end past it.
    handler, times = _answers(clock, _busy(), _busy(), _ok())
    api = make_api(handler=handler)

    with pytest.raises(ServerError) as caught:
        await api("tasks.get", TASK_ID, timeout=1.0)

    assert len(times) == 2
    assert len(clock.sleeps) == 1
    assert NO_TIME_FOR_RETRY in str(caught.value)


@pytest.mark.parametrize(("wait", "retried"), [("4", True), ("6", False)])
async def test_an_httpx_timeout_bounds_the_call_by_its_largest_phase(
    make_api: MakeApi, clock: VirtualClock, wait: str, retried: bool
) -> None:
    # Largest phase 5 s (the phases sum to 8 s: a 6 s pause would fit that, not this).
    timeout = httpx.Timeout(connect=1.0, read=5.0, write=1.0, pool=1.0)
    handler, times = _answers(clock, _busy(**{"Retry-After": wait}), _ok())
    api = make_api(handler=handler)

    if retried:
        assert isinstance(await api("tasks.get", TASK_ID, timeout=timeout), Task)
    else:
        with pytest.raises(ServerError):
            await api("tasks.get", TASK_ID, timeout=timeout)

    assert len(times) == (2 if retried else 1)


def _create_lost_after(clock: VirtualClock, seconds: float) -> tuple[Handler, list[str]]:
    """The create's answer is lost after `seconds`; lookups find nothing (404, empty list)."""
    methods: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        methods.append(request.method)
        if request.method == "POST":
            clock.now += seconds
            raise httpx.ReadTimeout("answer lost", request=request)
        if request.url.params.get("pageNum"):
            return httpx.Response(200, json=envelope([]))
        return httpx.Response(404, json=error_body(1203, "not found"))

    return handle, methods


async def _remove(api: Any, **options: Any) -> Any:
    return await api("tasks.remove", SESSION_ID, prompt=PROMPT, **options)


async def test_a_lost_create_with_no_time_left_to_look_it_up_is_unknown(
    make_api: MakeApi, clock: VirtualClock
) -> None:
    handler, methods = _create_lost_after(clock, 2.0)
    api = make_api(handler=handler)

    with pytest.raises(APITimeoutError) as caught:
        await _remove(api, timeout=2.0, external_task_id="order-1")

    error = caught.value
    assert error.task_created is None  # not False: the task may well exist
    assert error.external_task_id == "order-1"
    assert methods == ["POST"]  # no lookup past the deadline, and nothing resent
    assert any("get_by_external_id('order-1')" in note for note in error.__notes__)


async def test_a_create_proven_absent_is_not_resent_past_the_deadline(
    make_api: MakeApi, clock: VirtualClock
) -> None:
    # 1.8 of 2 s used; the lookup proves absence, but the resend's pause (0.375-0.5 s) would
    # end past the deadline.
    handler, methods = _create_lost_after(clock, 1.8)
    api = make_api(handler=handler)

    with pytest.raises(APITimeoutError) as caught:
        await _remove(api, timeout=2.0, external_task_id="order-4")

    assert methods == ["POST", "GET", "GET"]
    assert caught.value.task_created is False  # the lookup searched every task
    assert NO_TIME_FOR_RETRY in str(caught.value)


async def test_a_lost_create_is_looked_up_within_the_deadline(
    make_api: MakeApi, clock: VirtualClock
) -> None:
    # The control: 1 of 2 s used, the lookup proves absence in time; the resend's pause
    # (0.375-0.5 s) fits too, and its answer is lost as well, with no time left to look again.
    handler, methods = _create_lost_after(clock, 1.0)
    api = make_api(handler=handler)

    with pytest.raises(KlingEditError) as caught:
        await _remove(api, timeout=2.0, external_task_id="order-2")

    assert methods == ["POST", "GET", "GET", "POST"]
    assert caught.value.task_created is None


async def test_a_lookup_by_external_id_searches_within_one_deadline(
    make_api: MakeApi, clock: VirtualClock
) -> None:
    # GET by external id unavailable (404) and full list pages: each answer takes 0.4 s of a
    # 1 s timeout, so the search stops where the time does instead of paging on.
    paths: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.path)
        clock.now += 0.4
        if request.url.params.get("pageNum"):
            return httpx.Response(200, json=envelope([task_data(f"t-{n}") for n in range(100)]))
        return httpx.Response(404, json=error_body(1203, "not found"))

    api = make_api(handler=handle)

    with pytest.raises(APITimeoutError) as caught:
        await api("tasks.get_by_external_id", "order-3", timeout=1.0)

    assert len(paths) == 3  # GET by id, pages 1 and 2 (sent at 0.8 s); page 3 would start late
    assert "was not sent" in str(caught.value)
