"""The retry module's verdicts on one error, table by table: could it have been delivered, may it
be resent, how long to pause. Each row states the one right answer, from the error table and the
retry rules (first pause 0.5 s doubling to 8 s, jitter up to 25 %, Retry-After up to 60 s).
"""

from __future__ import annotations

import httpx
import pytest

from kling_edit import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APITimeoutError,
    KlingEditError,
    RequestValidationError,
)
from kling_edit._retry import (
    RetryPolicy,
    connection_error,
    is_retryable,
    maybe_delivered,
    retry_after,
)


def _api(status: int | None, code: int | None) -> APIError:
    return APIError("refused", status_code=status, code=code, request_id=None)


def _unreadable(status: int, code: int | None) -> APIResponseValidationError:
    return APIResponseValidationError("unreadable", status_code=status, code=code, request_id=None)


@pytest.mark.parametrize(
    ("error", "delivered"),
    [
        pytest.param(RequestValidationError("prompt", "too long"), False, id="refused-here"),
        pytest.param(APIConnectionError("dropped", maybe_delivered=True), True, id="dropped"),
        pytest.param(APIConnectionError("refused", maybe_delivered=False), False, id="no-connect"),
        pytest.param(APITimeoutError("slow", maybe_delivered=True), True, id="read-timeout"),
        pytest.param(_api(None, None), False, id="no-status"),
        pytest.param(_api(200, None), True, id="200-without-code"),
        pytest.param(_api(201, None), True, id="201-without-code"),
        pytest.param(_api(299, None), True, id="299-without-code"),
        pytest.param(_api(300, None), False, id="300-without-code"),
        pytest.param(_api(199, None), False, id="199-without-code"),
        pytest.param(_api(200, 1302), False, id="200-refusal-code"),
        pytest.param(_api(400, 1200), False, id="400"),
        pytest.param(_api(429, 1302), False, id="429"),
        pytest.param(_api(499, None), False, id="499"),
        pytest.param(_api(500, None), True, id="500"),
        pytest.param(_api(503, 5001), True, id="503"),
        pytest.param(_unreadable(200, 0), True, id="200-code-0-unreadable-data"),
        pytest.param(_unreadable(200, None), True, id="200-unreadable-code"),
    ],
)
def test_maybe_delivered(error: KlingEditError, delivered: bool) -> None:
    assert maybe_delivered(error) is delivered


def test_retry_policy_defaults() -> None:
    policy = RetryPolicy()

    # No jitter term can make a pause longer than its step, nor shorter than 75 % of it.
    for attempt, step in enumerate([0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]):
        assert step * 0.75 <= policy.delay(attempt) <= step
    assert policy.allows(60.0)
    assert not policy.allows(60.001)
    assert policy.allows(None)


def test_a_negative_retry_after_given_to_the_policy_falls_back_to_back_off() -> None:
    policy = RetryPolicy(jitter=0.0)

    assert policy.delay(2, retry_after=-1.0) == 2.0
    assert policy.delay(2, retry_after=0.0) == 0.0
    assert policy.delay(2, retry_after=60.0) == 60.0


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("2.5", 2.5),
        ("-3", 0.0),
        ("inf", None),
        ("-inf", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # long past: go now
        ("Wed, 21 Oct 2015 07:28:00", 0.0),  # no zone: GMT, still past
    ],
)
def test_retry_after_values(value: str, seconds: float | None) -> None:
    assert retry_after(httpx.Response(429, headers={"Retry-After": value})) == seconds


@pytest.mark.parametrize(
    ("failure", "kind", "message", "delivered"),
    [
        (
            httpx.ConnectError("no route"),
            APIConnectionError,
            "connection failed (ConnectError: no route)",
            False,
        ),
        (
            httpx.ConnectTimeout("slow"),
            APITimeoutError,
            "request timed out (ConnectTimeout)",
            False,
        ),
        (httpx.PoolTimeout("busy"), APITimeoutError, "request timed out (PoolTimeout)", False),
        (httpx.ReadTimeout("slow"), APITimeoutError, "request timed out (ReadTimeout)", True),
        (httpx.WriteTimeout("slow"), APITimeoutError, "request timed out (WriteTimeout)", True),
        (
            httpx.RemoteProtocolError("peer closed"),
            APIConnectionError,
            "connection failed (RemoteProtocolError: peer closed)",
            True,
        ),
        (
            httpx.ReadError("reset"),
            APIConnectionError,
            "connection failed (ReadError: reset)",
            True,
        ),
    ],
)
def test_connection_errors_say_what_failed_and_whether_it_may_have_arrived(
    failure: httpx.RequestError, kind: type[APIConnectionError], message: str, delivered: bool
) -> None:
    error = connection_error(failure)

    assert type(error) is kind
    assert error.message == message
    assert str(error) == message
    assert error.maybe_delivered is delivered


@pytest.mark.parametrize(
    ("error", "replay_safe", "retryable"),
    [
        pytest.param(RequestValidationError("prompt", "too long"), True, False, id="refused-here"),
        pytest.param(APIConnectionError("x", maybe_delivered=True), False, False, id="lost-create"),
        pytest.param(APIConnectionError("x", maybe_delivered=True), True, True, id="lost-read"),
        pytest.param(APIConnectionError("x", maybe_delivered=False), False, True, id="no-connect"),
        pytest.param(_api(503, None), False, False, id="503-create"),
        pytest.param(_api(503, None), True, True, id="503-read"),
        pytest.param(_api(429, None), False, True, id="429-create"),
        pytest.param(_api(200, 1302), False, True, id="1302-create"),
        pytest.param(_api(429, 1303), False, True, id="1303-create"),
        pytest.param(_api(500, 5000), False, False, id="5000-create"),
        pytest.param(_api(500, 5000), True, True, id="5000-read"),
        pytest.param(_api(503, 1200), True, False, id="503-with-a-refusal-code"),
        pytest.param(_api(400, None), True, False, id="400-read"),
    ],
)
def test_is_retryable(error: KlingEditError, replay_safe: bool, retryable: bool) -> None:
    assert is_retryable(error, replay_safe) is retryable
