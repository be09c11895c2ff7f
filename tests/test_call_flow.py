"""`call`, the retrying flow, driven step by step: what its trail records, what it says when the
deadline passed before an attempt, and the transport error kept as the cause."""

from __future__ import annotations

import time

import httpx
import pytest

from kling_edit import APIConnectionError, APITimeoutError, KlingEditError, ServerError
from kling_edit._budget import attempt_time
from kling_edit._operations import get_task
from kling_edit._retry import RetryPolicy, call
from kling_edit._steps import CallOptions, Send, Sleep
from wrapper_helpers import API, TASK_ID, VirtualClock, envelope, task_data

TASK_URL = f"{API}/{TASK_ID}"
REQUEST = httpx.Request("GET", TASK_URL)


def test_the_trail_records_each_failed_attempt() -> None:
    trail: list[KlingEditError] = []
    flow = call(get_task(TASK_ID), CallOptions(timeout=None, max_retries=2), RetryPolicy(), trail)

    assert isinstance(next(flow), Send)
    assert isinstance(flow.send(httpx.Response(503, text="busy", request=REQUEST)), Sleep)
    assert isinstance(flow.send(None), Send)
    assert isinstance(flow.send(httpx.Response(502, text="busy", request=REQUEST)), Sleep)
    assert isinstance(flow.send(None), Send)
    with pytest.raises(StopIteration):
        flow.send(httpx.Response(200, json=envelope(task_data()), request=REQUEST))

    assert [type(error) for error in trail] == [ServerError, ServerError]
    assert [error.status_code for error in trail] == [503, 502]


def test_an_attempt_past_the_deadline_is_not_sent() -> None:
    options = CallOptions(timeout=3.0, max_retries=2, deadline=time.monotonic() - 1.0)
    flow = call(get_task(TASK_ID), options, RetryPolicy())

    with pytest.raises(APITimeoutError) as caught:
        next(flow)

    assert str(caught.value) == "get_task was not sent: the call's timeout (3 s) had run out"
    assert caught.value.maybe_delivered is False


def test_a_transport_failure_is_the_cause_of_its_error() -> None:
    flow = call(get_task(TASK_ID), CallOptions(timeout=None, max_retries=0), RetryPolicy())
    next(flow)
    failure = httpx.ConnectError("no route")

    with pytest.raises(APIConnectionError) as caught:
        flow.throw(failure)

    assert caught.value.__cause__ is failure


def test_an_error_answer_is_raised_as_itself() -> None:
    flow = call(get_task(TASK_ID), CallOptions(timeout=None, max_retries=0), RetryPolicy())
    next(flow)

    with pytest.raises(ServerError) as caught:
        flow.send(httpx.Response(503, text="busy", request=REQUEST))

    assert caught.value.__cause__ is None


@pytest.mark.parametrize("timeout", [None, httpx.Timeout(None)], ids=["none", "httpx-none"])
def test_a_call_without_any_timeout_has_no_deadline(timeout: httpx.Timeout | None) -> None:
    flow = call(get_task(TASK_ID), CallOptions(timeout=timeout, max_retries=0), RetryPolicy())

    send = next(flow)

    assert isinstance(send, Send)
    assert send.options.deadline is None


def test_each_attempt_gets_the_time_the_call_has_left(clock: VirtualClock) -> None:
    flow = call(get_task(TASK_ID), CallOptions(timeout=10.0, max_retries=1), RetryPolicy())

    first = next(flow)
    assert isinstance(first, Send)
    assert attempt_time(first.options) == 10.0
    assert isinstance(flow.send(httpx.Response(503, text="busy", request=REQUEST)), Sleep)
    clock.now = 4.0
    second = flow.send(None)
    assert isinstance(second, Send)
    assert attempt_time(second.options) == 6.0
