"""What each poll of wait() may take: the time left before the wait's deadline, within the
client's own per-request timeout, and one attempt (a failed poll waits for the schedule, not
for a retry's back-off). Sync and async alike, on the virtual clock.
"""

from __future__ import annotations

import httpx
import pytest
from pytest_httpx import HTTPXMock

from kling_edit import WaitTimeoutError
from wrapper_helpers import API, TASK_ID, MakeApi, VirtualClock, envelope, task_data

TASK_URL = f"{API}/{TASK_ID}"


@pytest.mark.parametrize(
    ("client_timeout", "poll_timeouts"),
    [
        # The default schedule polls at 0, 2 and 6 s; the last poll goes 0.5 s before the end.
        pytest.param(60.0, [10.0, 8.0, 4.0, 0.5], id="client-allows-more"),
        pytest.param(None, [10.0, 8.0, 4.0, 0.5], id="client-without-timeout"),
        pytest.param(3.0, [3.0, 3.0, 3.0, 0.5], id="client-allows-less"),
    ],
)
async def test_each_poll_gets_the_time_left(
    make_api: MakeApi,
    httpx_mock: HTTPXMock,
    clock: VirtualClock,
    client_timeout: float | None,
    poll_timeouts: list[float],
) -> None:
    api = make_api(timeout=client_timeout)
    httpx_mock.add_response(
        url=TASK_URL, json=envelope(task_data(status="processing")), is_reusable=True
    )

    with pytest.raises(WaitTimeoutError):
        await api("tasks.wait", TASK_ID, timeout=10.0)

    sent = [request.extensions["timeout"]["read"] for request in httpx_mock.get_requests()]
    assert sent == pytest.approx(poll_timeouts)
    assert clock.sleeps == [2.0, 4.0, 3.5, 0.5]


async def test_a_failed_poll_is_not_retried_but_polled_again_on_schedule(
    make_api: MakeApi, httpx_mock: HTTPXMock, clock: VirtualClock
) -> None:
    api = make_api(max_retries=2)
    httpx_mock.add_response(url=TASK_URL, status_code=503)
    httpx_mock.add_response(url=TASK_URL, json=envelope(task_data(status="succeed")))

    task = await api("tasks.wait", TASK_ID, timeout=10.0)

    assert task.status == "succeed"
    assert clock.sleeps == [2.0]


@pytest.mark.parametrize(
    ("timeout", "sleeps"),
    [
        # Polls at 0 and 2 s; the next step (4 s) plus 0.5 s would reach the deadline: the
        # last poll goes 0.5 s before it, then the wait sleeps out what is left.
        pytest.param(6.3, [2.0, 3.8, 0.5], id="step-would-pass-the-end"),
        pytest.param(6.5, [2.0, 4.0, 0.5], id="step-would-end-at-the-end"),
    ],
)
async def test_the_last_poll_leaves_half_a_second_to_answer(
    make_api: MakeApi,
    httpx_mock: HTTPXMock,
    clock: VirtualClock,
    timeout: float,
    sleeps: list[float],
) -> None:
    api = make_api()
    httpx_mock.add_response(
        url=TASK_URL, json=envelope(task_data(status="processing")), is_reusable=True
    )

    with pytest.raises(WaitTimeoutError):
        await api("tasks.wait", TASK_ID, timeout=timeout)

    assert clock.sleeps == pytest.approx(sleeps)
    assert len(httpx_mock.get_requests()) == 3


async def test_a_poll_answered_at_the_deadline_ends_the_wait_at_once(
    make_api: MakeApi, httpx_mock: HTTPXMock, clock: VirtualClock
) -> None:
    api = make_api()

    def slow_answer(request: httpx.Request) -> httpx.Response:
        clock.now = 10.0  # the answer arrives just as the wait's 10 s run out
        return httpx.Response(200, json=envelope(task_data(status="processing")))

    httpx_mock.add_callback(slow_answer, url=TASK_URL)

    with pytest.raises(WaitTimeoutError):
        await api("tasks.wait", TASK_ID, timeout=10.0)

    assert clock.sleeps == []
    assert len(httpx_mock.get_requests()) == 1
