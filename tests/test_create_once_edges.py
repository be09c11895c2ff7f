"""Create-once at its edges: the retries one create may spend in all, the lookup's own retries,
the server's Retry-After on a resend proven safe, and the note that says why "created?" is
unknown, word for word. Sync and async alike (the `kind` of the `api` fixture).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from kling_edit import APITimeoutError, AuthenticationError, RateLimitError, ServerError
from wrapper_helpers import (
    API,
    PROMPT,
    SESSION_ID,
    Api,
    MakeApi,
    VirtualClock,
    envelope,
    error_body,
    task_data,
)

ORDER_URL = f"{API}/order-1"


def _list_url(page: int) -> str:
    return f"{API}?pageNum={page}&pageSize=100"


async def _remove(api: Api) -> Any:
    return await api("tasks.remove", SESSION_ID, prompt=PROMPT, external_task_id="order-1")


def _absent(mock: HTTPXMock) -> None:
    """GET by external id answers 404 and the whole task list (one short page) lacks it."""
    mock.add_response(url=ORDER_URL, status_code=404, json=error_body(1203))
    mock.add_response(url=_list_url(1), json=envelope([task_data("other-1")]))


def _posts(mock: HTTPXMock) -> int:
    return len(mock.get_requests(method="POST", url=API))


async def test_resends_after_a_lost_answer_count_against_max_retries(
    make_api: MakeApi, httpx_mock: HTTPXMock, clock: VirtualClock
) -> None:
    # max_retries=2 allows three attempts in all: the lost one, then two refused by rate limit.
    api = make_api(max_retries=2)
    httpx_mock.add_exception(httpx.ReadTimeout("answer lost"), url=API, method="POST")
    _absent(httpx_mock)
    httpx_mock.add_response(
        url=API, method="POST", status_code=429, json=error_body(1302), is_reusable=True
    )

    with pytest.raises(RateLimitError) as caught:
        await _remove(api)

    assert caught.value.task_created is False
    assert _posts(httpx_mock) == 3


async def test_the_lookup_after_a_lost_answer_rides_out_a_transient_failure(
    api: Api, httpx_mock: HTTPXMock, clock: VirtualClock
) -> None:
    httpx_mock.add_exception(httpx.ReadTimeout("answer lost"), url=API, method="POST")
    httpx_mock.add_response(url=ORDER_URL, status_code=503)
    httpx_mock.add_response(url=ORDER_URL, json=envelope(task_data(external_task_id="order-1")))

    task = await _remove(api)

    assert task.external_task_id == "order-1"
    assert _posts(httpx_mock) == 1


@pytest.mark.parametrize(
    ("retry_after", "sleeps", "posts"),
    [("3", [3.0], 2), ("120", [], 1)],
    ids=["honoured", "beyond-the-60-s-cap"],
)
async def test_a_resend_proven_safe_keeps_the_servers_retry_after(
    api: Api,
    httpx_mock: HTTPXMock,
    clock: VirtualClock,
    retry_after: str,
    sleeps: list[float],
    posts: int,
) -> None:
    httpx_mock.add_response(
        url=API, method="POST", status_code=503, headers={"Retry-After": retry_after}
    )
    _absent(httpx_mock)
    if posts == 1:
        with pytest.raises(ServerError) as caught:
            await _remove(api)
        assert caught.value.task_created is False
        assert caught.value.retry_after == 120.0
    else:
        httpx_mock.add_response(
            url=API, method="POST", json=envelope(task_data(external_task_id="order-1"))
        )
        await _remove(api)

    assert clock.sleeps == sleeps
    assert _posts(httpx_mock) == posts


async def test_a_failed_search_is_named_in_the_note(
    api: Api, httpx_mock: HTTPXMock, clock: VirtualClock
) -> None:
    httpx_mock.add_exception(httpx.ReadTimeout("answer lost"), url=API, method="POST")
    httpx_mock.add_response(url=ORDER_URL, status_code=401, json=error_body(1000, "bad key"))

    with pytest.raises(APITimeoutError) as caught:
        await _remove(api)

    assert caught.value.task_created is None
    assert isinstance(caught.value.__cause__, AuthenticationError)
    assert caught.value.__notes__ == [
        f"the task may have been created (the search for it failed: {caught.value.__cause__}):"
        " look it up later with get_by_external_id('order-1')"
    ]


async def test_a_partial_search_is_named_in_the_note(
    api: Api, httpx_mock: HTTPXMock, clock: VirtualClock
) -> None:
    httpx_mock.add_exception(httpx.ReadTimeout("answer lost"), url=API, method="POST")
    httpx_mock.add_response(url=ORDER_URL, status_code=404, json=error_body(1203))
    httpx_mock.add_response(url=f"{API}/x-1-0", status_code=404, json=error_body(1203))
    for page in range(1, 5):
        others = [task_data(f"t-{page}-{n}", external_task_id=f"x-{page}-{n}") for n in range(100)]
        httpx_mock.add_response(url=_list_url(page), json=envelope(others))

    with pytest.raises(APITimeoutError) as caught:
        await _remove(api)

    assert caught.value.task_created is None
    assert caught.value.__notes__ == [
        "the task may have been created (it is not among the newest tasks, but older ones were"
        " not searched): look it up later with get_by_external_id('order-1')"
    ]


async def test_resends_proven_safe_back_off_from_the_first_step(
    api: Api, httpx_mock: HTTPXMock, clock: VirtualClock
) -> None:
    # Two lost answers, each proven to have made nothing: the pauses before the resends are
    # the back-off's first two steps (0.5 s, then 1 s, each up to 25 % shorter).
    for _ in range(2):
        httpx_mock.add_exception(httpx.ReadTimeout("answer lost"), url=API, method="POST")
        _absent(httpx_mock)
    httpx_mock.add_response(
        url=API, method="POST", json=envelope(task_data(external_task_id="order-1"))
    )

    await _remove(api)

    first, second = clock.sleeps
    assert 0.375 <= first <= 0.5
    assert 0.75 <= second <= 1.0
    assert _posts(httpx_mock) == 3
