"""Paying once: every create attempt carries one external_task_id, an attempt whose answer was
lost is resolved by looking the task up by that id before anything is resent, and an error says
`task_created=False` only when no task can exist.

Sync and async alike (the `kind` of the `api` fixture); the service is pytest-httpx, or the
simulator in both of its duplicate-id modes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from kling_edit import (
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    RequestValidationError,
    ServerError,
)
from wrapper_helpers import (
    API,
    PROMPT,
    SESSION_ID,
    TASK_ID,
    Api,
    MakeApi,
    VirtualClock,
    envelope,
    error_body,
    task_data,
)

# Any client-made id: "kling-edit-<uuid>".
CLIENT_ID = r"kling-edit-[0-9a-f-]{36}"
GET_BY_CLIENT_ID = re.compile(re.escape(API) + "/" + CLIENT_ID)

Failure = Callable[[HTTPXMock], None]


def _raises(cls: type[httpx.TransportError]) -> Failure:
    return lambda mock: mock.add_exception(cls("simulated"), url=API, method="POST")


def _answers(status: int, code: int | None = None) -> Failure:
    def add(mock: HTTPXMock) -> None:
        if code is None:
            mock.add_response(url=API, method="POST", status_code=status, text="busy")
        else:
            mock.add_response(url=API, method="POST", status_code=status, json=error_body(code))

    return add


def _create_bodies(httpx_mock: HTTPXMock) -> list[dict[str, Any]]:
    return [json.loads(r.content) for r in httpx_mock.get_requests(method="POST", url=API)]


def _methods(httpx_mock: HTTPXMock) -> list[str]:
    return [request.method for request in httpx_mock.get_requests()]


async def _remove(api: Api, **options: Any) -> Any:
    return await api("tasks.remove", SESSION_ID, prompt=PROMPT, **options)


def _list_url(page: int) -> str:
    return f"{API}?pageNum={page}&pageSize=100"


def _other_tasks(count: int, page: int = 1) -> list[dict[str, Any]]:
    return [task_data(f"other-{page}-{n}", external_task_id=f"x-{page}-{n}") for n in range(count)]


def _four_full_pages_without_it(mock: HTTPXMock, url: str) -> None:
    """GET by external id answers 404 (also for a listed task's own external id: the route does
    not take them), and the newest 400 tasks of the list do not hold it."""
    mock.add_response(url=url, status_code=404, json=error_body(1203))
    mock.add_response(url=f"{API}/x-1-0", status_code=404, json=error_body(1203))
    for page in range(1, 5):
        mock.add_response(url=_list_url(page), json=envelope(_other_tasks(100, page)))


def _absent(mock: HTTPXMock, url: str | re.Pattern[str] = GET_BY_CLIENT_ID) -> None:
    """GET by external id answers 404 and the whole task list (one short page) lacks it."""
    mock.add_response(url=url, status_code=404, json=error_body(1203))
    mock.add_response(url=_list_url(1), json=envelope(_other_tasks(3)))


# ---------------------------------------------------------------------------------------------
# Resending


@pytest.mark.parametrize(
    "failure",
    [_raises(httpx.ConnectError), _answers(429, 1302), _answers(429, 1303)],
    ids=["connect-error", "code-1302", "code-1303"],
)
async def test_a_create_refused_before_it_did_anything_is_resent_without_lookup(
    api: Api, httpx_mock: HTTPXMock, failure: Failure
) -> None:
    failure(httpx_mock)
    httpx_mock.add_response(url=API, method="POST", json=envelope(task_data()))

    task = await _remove(api)

    first, second = _create_bodies(httpx_mock)
    assert first == second
    assert task.task_id == TASK_ID
    assert _methods(httpx_mock) == ["POST", "POST"]


@pytest.mark.parametrize(
    "failure",
    [
        _raises(httpx.ReadTimeout),
        _raises(httpx.RemoteProtocolError),
        _answers(500),
        _answers(503, 5001),
    ],
    ids=["read-timeout", "answer-lost", "http-500", "code-5001"],
)
async def test_a_create_that_may_have_arrived_is_looked_up_before_it_is_resent(
    api: Api, httpx_mock: HTTPXMock, failure: Failure
) -> None:
    failure(httpx_mock)
    _absent(httpx_mock)
    httpx_mock.add_response(url=API, method="POST", json=envelope(task_data()))

    task = await _remove(api)

    first, second = _create_bodies(httpx_mock)
    assert first == second
    assert task.task_id == TASK_ID
    # The lookup proved the first attempt made nothing, and only then was the create resent.
    assert _methods(httpx_mock) == ["POST", "GET", "GET", "POST"]


def _found_by_get(mock: HTTPXMock, ext: str) -> None:
    mock.add_response(url=f"{API}/{ext}", json=envelope(task_data(external_task_id=ext)))


def _found_in_list_after_404(mock: HTTPXMock, ext: str) -> None:
    mock.add_response(url=f"{API}/{ext}", status_code=404, json=error_body(1203))
    found = task_data(external_task_id=ext)
    mock.add_response(url=_list_url(1), json=envelope([*_other_tasks(2), found]))


def _found_on_list_page_2_after_a_wrong_get(mock: HTTPXMock, ext: str) -> None:
    # An id that names some other task (a task_id equal to the external id) is not the answer.
    wrong = task_data("wrong", external_task_id="someone-else")
    mock.add_response(url=f"{API}/{ext}", json=envelope(wrong))
    mock.add_response(url=_list_url(1), json=envelope(_other_tasks(100)))
    mock.add_response(url=_list_url(2), json=envelope([task_data(external_task_id=ext)]))


LOOKUPS = {
    "get-by-external-id": _found_by_get,
    "get-404-then-list": _found_in_list_after_404,
    "get-finds-another-task-then-list-page-2": _found_on_list_page_2_after_a_wrong_get,
}


@pytest.mark.parametrize("lookup", LOOKUPS.values(), ids=LOOKUPS.keys())
async def test_a_create_whose_answer_was_lost_answers_the_task_it_made(
    api: Api, httpx_mock: HTTPXMock, lookup: Callable[[HTTPXMock, str], None]
) -> None:
    httpx_mock.add_exception(httpx.ReadTimeout("answer lost"), url=API, method="POST")
    lookup(httpx_mock, "order-7")

    task = await _remove(api, external_task_id="order-7")

    assert (task.task_id, task.external_task_id) == (TASK_ID, "order-7")
    assert len(_create_bodies(httpx_mock)) == 1  # never sent again: no reliance on a refusal


async def test_resends_stop_at_max_retries_each_after_a_lookup(
    make_api: MakeApi, httpx_mock: HTTPXMock, clock: VirtualClock
) -> None:
    api = make_api(max_retries=1)
    for _ in range(2):
        httpx_mock.add_response(url=API, method="POST", status_code=500, json=error_body(5000))
        _absent(httpx_mock, f"{API}/order-8")

    with pytest.raises(ServerError) as caught:
        await _remove(api, external_task_id="order-8")

    assert caught.value.task_created is False
    assert _methods(httpx_mock) == ["POST", "GET", "GET"] * 2


# ---------------------------------------------------------------------------------------------
# "Created?" is never a guess


async def test_not_found_in_the_newest_pages_is_no_proof(
    make_api: MakeApi, httpx_mock: HTTPXMock, clock: VirtualClock
) -> None:
    # GET by external id unavailable (404) and four full pages without it: older tasks were
    # not searched, so the task may exist; and nothing is resent.
    api = make_api(max_retries=3)
    httpx_mock.add_exception(httpx.ReadTimeout("answer lost"), url=API, method="POST")
    _four_full_pages_without_it(httpx_mock, f"{API}/order-9")

    with pytest.raises(APITimeoutError) as caught:
        await _remove(api, external_task_id="order-9")

    assert caught.value.task_created is None
    assert caught.value.external_task_id == "order-9"
    assert any("get_by_external_id('order-9')" in note for note in caught.value.__notes__)
    assert len(_create_bodies(httpx_mock)) == 1


async def test_a_404_is_proof_once_get_is_seen_to_take_external_ids(
    api: Api, httpx_mock: HTTPXMock, clock: VirtualClock
) -> None:
    # Many tasks, so the list cannot be read to its end; but GET finds a listed task by its
    # external id, so its 404 for this one is an answer: nothing was made, and it is resent.
    httpx_mock.add_exception(httpx.ReadTimeout("answer lost"), url=API, method="POST")
    httpx_mock.add_response(url=f"{API}/order-14", status_code=404, json=error_body(1203))
    listed = _other_tasks(100)
    httpx_mock.add_response(url=_list_url(1), json=envelope(listed))
    httpx_mock.add_response(url=f"{API}/x-1-0", json=envelope(listed[0]))
    httpx_mock.add_response(
        url=API, method="POST", json=envelope(task_data(external_task_id="order-14"))
    )

    task = await _remove(api, external_task_id="order-14")

    assert task.external_task_id == "order-14"
    assert _methods(httpx_mock) == ["POST", "GET", "GET", "GET", "POST"]


async def test_get_by_external_id_says_when_its_search_was_partial(
    api: Api, httpx_mock: HTTPXMock
) -> None:
    _four_full_pages_without_it(httpx_mock, f"{API}/old-1")

    with pytest.raises(NotFoundError, match="among the newest 400 tasks"):
        await api("tasks.get_by_external_id", "old-1")


@pytest.mark.parametrize(
    "body",
    [
        {"code": "0", "message": "SUCCEED", "data": task_data()},
        {"code": None, "message": "SUCCEED", "data": task_data()},
        {"message": "SUCCEED", "data": {"task_id": 7}},
    ],
    ids=["code-as-string", "code-null", "unreadable-data"],
)
async def test_a_2xx_create_that_cannot_be_read_is_looked_up(
    make_api: MakeApi, httpx_mock: HTTPXMock, clock: VirtualClock, body: dict[str, Any]
) -> None:
    api = make_api(max_retries=0)
    httpx_mock.add_response(url=API, method="POST", json=body)
    httpx_mock.add_response(
        url=f"{API}/order-11", json=envelope(task_data(external_task_id="order-11"))
    )

    task = await _remove(api, external_task_id="order-11")

    assert task.external_task_id == "order-11"
    assert len(_create_bodies(httpx_mock)) == 1


async def test_a_2xx_create_that_cannot_be_read_and_is_not_found_is_not_a_refusal(
    make_api: MakeApi, httpx_mock: HTTPXMock, clock: VirtualClock
) -> None:
    api = make_api(max_retries=0)
    httpx_mock.add_response(url=API, method="POST", json={"code": "0", "data": task_data()})
    _four_full_pages_without_it(httpx_mock, f"{API}/order-12")

    with pytest.raises(APIError) as caught:
        await _remove(api, external_task_id="order-12")

    assert caught.value.task_created is None


async def test_a_failed_lookup_leaves_the_outcome_open(
    api: Api, httpx_mock: HTTPXMock, clock: VirtualClock
) -> None:
    httpx_mock.add_exception(httpx.ReadTimeout("answer lost"), url=API, method="POST")
    httpx_mock.add_response(url=f"{API}/order-10", status_code=401, json=error_body(1004))

    with pytest.raises(APITimeoutError) as caught:
        await _remove(api, external_task_id="order-10")

    assert caught.value.task_created is None
    assert isinstance(caught.value.__cause__, AuthenticationError)
    assert any("get_by_external_id('order-10')" in note for note in caught.value.__notes__)
    assert len(_create_bodies(httpx_mock)) == 1


@pytest.mark.parametrize(
    "failure",
    [_answers(400, 1201), _answers(400, 1200), _answers(401, 1000), _answers(200, 1201)],
    ids=["duplicate", "invalid", "auth", "refused-in-a-200"],
)
async def test_a_first_attempt_refusal_is_raised_without_lookup(
    api: Api, httpx_mock: HTTPXMock, failure: Failure
) -> None:
    # With a client-made id nothing can be a duplicate: a refusal is final, no lookup.
    failure(httpx_mock)

    with pytest.raises(APIError) as caught:
        await _remove(api)

    assert caught.value.task_created is False
    assert re.fullmatch(CLIENT_ID, caught.value.external_task_id or "")
    assert _methods(httpx_mock) == ["POST"]


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"prompt": ""}, "prompt"),
        ({"prompt": PROMPT, "duration": 7}, "duration"),
        ({"prompt": PROMPT, "images": ["https://images.test/a.png"]}, "images"),
    ],
    ids=["empty-prompt", "duration", "image-in-a-removal"],
)
@pytest.mark.parametrize("caller_id", [None, "order-13"], ids=["client-id", "caller-id"])
async def test_a_refused_argument_says_not_created_and_names_the_id(
    api: Api, httpx_mock: HTTPXMock, options: dict[str, Any], field: str, caller_id: str | None
) -> None:
    given = {} if caller_id is None else {"external_task_id": caller_id}

    with pytest.raises(RequestValidationError) as caught:
        await api("tasks.create", session_id=SESSION_ID, edit_mode="removal", **options, **given)

    assert caught.value.field.startswith(field)
    assert caught.value.task_created is False
    assert re.fullmatch(caller_id or CLIENT_ID, caught.value.external_task_id or "")
    assert httpx_mock.get_requests() == []


# ---------------------------------------------------------------------------------------------
# A caller's own id is an idempotency key across calls


async def test_a_refused_caller_id_answers_the_task_it_names(
    api: Api, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=API, method="POST", status_code=400, json=error_body(1201))
    _found_by_get(httpx_mock, "mine-1")

    task = await _remove(api, external_task_id="mine-1")

    assert task.external_task_id == "mine-1"
    assert _methods(httpx_mock) == ["POST", "GET"]


async def test_a_refused_caller_id_without_a_task_is_raised(
    api: Api, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=API, method="POST", status_code=400, json=error_body(1200))
    _absent(httpx_mock, f"{API}/mine-2")

    with pytest.raises(BadRequestError) as caught:
        await _remove(api, external_task_id="mine-2")

    assert caught.value.task_created is False
