"""Retry-After: never resend before the server's time. Beyond the client's cap (60 s) the error is
raised at once, carrying `retry_after`; unreadable and non-finite values fall back to back-off.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pytest_httpx import HTTPXMock

from kling_edit import RateLimitError, ServerError
from kling_edit._retry import retry_after
from wrapper_helpers import (
    API,
    PROMPT,
    SESSION_ID,
    TASK_ID,
    Api,
    VirtualClock,
    envelope,
    error_body,
    task_data,
)

TASK_URL = f"{API}/{TASK_ID}"


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [(429, 1302, RateLimitError), (503, 5001, ServerError)],
    ids=["429", "503"],
)
@pytest.mark.parametrize("seconds", ["120", "60.5", "3600"])
async def test_a_wait_beyond_the_cap_raises_at_once(
    api: Api,
    httpx_mock: HTTPXMock,
    clock: VirtualClock,
    status: int,
    code: int,
    error: type[Exception],
    seconds: str,
) -> None:
    httpx_mock.add_response(
        url=TASK_URL, status_code=status, json=error_body(code), headers={"Retry-After": seconds}
    )

    with pytest.raises(error) as caught:
        await api("tasks.get", TASK_ID)

    assert caught.value.retry_after == float(seconds)  # type: ignore[attr-defined]
    assert clock.sleeps == []
    assert len(httpx_mock.get_requests()) == 1


async def test_a_create_told_to_wait_beyond_the_cap_is_not_resent(
    api: Api, httpx_mock: HTTPXMock, clock: VirtualClock
) -> None:
    httpx_mock.add_response(
        url=API,
        method="POST",
        status_code=429,
        json=error_body(1302),
        headers={"Retry-After": "120"},
    )

    with pytest.raises(RateLimitError) as caught:
        await api("tasks.remove", SESSION_ID, prompt=PROMPT)

    assert caught.value.retry_after == 120.0
    assert caught.value.task_created is False  # a rate-limit refusal made nothing
    assert clock.sleeps == []


async def test_a_wait_at_the_cap_is_honoured(
    api: Api, httpx_mock: HTTPXMock, clock: VirtualClock
) -> None:
    httpx_mock.add_response(
        url=TASK_URL, status_code=429, json=error_body(1302), headers={"Retry-After": "60"}
    )
    httpx_mock.add_response(url=TASK_URL, json=envelope(task_data()))

    # A timeout longer than the wait: the call's deadline would otherwise forbid it.
    await api("tasks.get", TASK_ID, timeout=90.0)

    assert clock.sleeps == [60.0]


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "1e400"])
async def test_a_non_finite_wait_is_ignored(
    api: Api, httpx_mock: HTTPXMock, clock: VirtualClock, value: str
) -> None:
    httpx_mock.add_response(
        url=TASK_URL, status_code=429, json=error_body(1302), headers={"Retry-After": value}
    )
    httpx_mock.add_response(url=TASK_URL, json=envelope(task_data()))

    await api("tasks.get", TASK_ID)

    (delay,) = clock.sleeps
    assert 0.375 <= delay <= 0.5  # the first back-off step (0.5 s, 25% jitter)


def _header(value: str) -> float | None:
    return retry_after(httpx.Response(429, headers={"Retry-After": value}))


@pytest.fixture
def far_from_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time five hours behind UTC, where a zone-less date read as local is off by 5 h."""
    monkeypatch.setenv("TZ", "EST+05")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("far_from_utc")
@pytest.mark.parametrize("suffix", [" -0000", ""], ids=["unknown-zone", "no-zone"])
def test_an_http_date_without_a_zone_is_gmt(suffix: str) -> None:
    soon = datetime.now(UTC) + timedelta(seconds=30)
    value = email.utils.format_datetime(soon, usegmt=True).removesuffix(" GMT") + suffix

    seconds = _header(value)

    assert seconds is not None
    assert 28.0 <= seconds <= 30.0


def test_unreadable_dates_are_ignored() -> None:
    assert _header("Mon, 99 Foo 2026 25:61:00 GMT") is None
    assert _header("Wed, 02 Dec") is None
