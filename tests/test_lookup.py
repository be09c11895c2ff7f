"""Finding a task by its external id: what "not found" says, and that each request of the search
is retried like any read. Sync and async alike (the `kind` of the `api` fixture).
"""

from __future__ import annotations

from typing import Any

import pytest
from pytest_httpx import HTTPXMock

from kling_edit import NotFoundError, RequestValidationError
from wrapper_helpers import API, Api, VirtualClock, envelope, error_body, task_data


def _list_url(page: int) -> str:
    return f"{API}?pageNum={page}&pageSize=100"


def _other_tasks(count: int, page: int = 1) -> list[dict[str, Any]]:
    return [task_data(f"other-{page}-{n}", external_task_id=f"x-{page}-{n}") for n in range(count)]


async def test_not_found_after_a_complete_search_says_just_that(
    api: Api, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=f"{API}/nope", status_code=404, json=error_body(1203))
    httpx_mock.add_response(url=_list_url(1), json=envelope(_other_tasks(3)))

    with pytest.raises(NotFoundError) as caught:
        await api("tasks.get_by_external_id", "nope")

    assert caught.value.message == "no task has external_task_id 'nope'"


async def test_not_found_after_a_partial_search_says_how_far_it_looked(
    api: Api, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=f"{API}/old-1", status_code=404, json=error_body(1203))
    httpx_mock.add_response(url=f"{API}/x-1-0", status_code=404, json=error_body(1203))
    for page in range(1, 5):
        httpx_mock.add_response(url=_list_url(page), json=envelope(_other_tasks(100, page)))

    with pytest.raises(NotFoundError) as caught:
        await api("tasks.get_by_external_id", "old-1")

    assert caught.value.message == (
        "no task has external_task_id 'old-1' among the newest 400 tasks (older ones were not"
        " searched: the service did not answer GET by external id)"
    )


async def test_the_lookup_rides_out_a_transient_failure(
    api: Api, httpx_mock: HTTPXMock, clock: VirtualClock
) -> None:
    httpx_mock.add_response(url=f"{API}/order-1", status_code=503)
    httpx_mock.add_response(
        url=f"{API}/order-1", json=envelope(task_data(external_task_id="order-1"))
    )

    task = await api("tasks.get_by_external_id", "order-1")

    assert task.external_task_id == "order-1"
    assert len(clock.sleeps) == 1


async def test_the_probe_of_get_by_external_id_rides_out_a_transient_failure(
    api: Api, httpx_mock: HTTPXMock, clock: VirtualClock
) -> None:
    # GET answers 404 for the id; the list is too long to read to its end; GET then finds a
    # listed task by its external id (after one 503), so the 404 was an answer: a complete miss.
    listed = _other_tasks(100)
    httpx_mock.add_response(url=f"{API}/nope", status_code=404, json=error_body(1203))
    httpx_mock.add_response(url=_list_url(1), json=envelope(listed))
    httpx_mock.add_response(url=f"{API}/x-1-0", status_code=503)
    httpx_mock.add_response(url=f"{API}/x-1-0", json=envelope(listed[0]))

    with pytest.raises(NotFoundError) as caught:
        await api("tasks.get_by_external_id", "nope")

    assert caught.value.message == "no task has external_task_id 'nope'"
    assert len(clock.sleeps) == 1


async def test_a_list_page_that_fails_once_is_asked_again(
    api: Api, httpx_mock: HTTPXMock, clock: VirtualClock
) -> None:
    httpx_mock.add_response(url=f"{API}/order-1", status_code=404, json=error_body(1203))
    httpx_mock.add_response(url=_list_url(1), status_code=503)
    listed = [task_data("task-9", external_task_id="order-1")]
    httpx_mock.add_response(url=_list_url(1), json=envelope(listed))

    task = await api("tasks.get_by_external_id", "order-1")

    assert task.task_id == "task-9"
    assert len(clock.sleeps) == 1


async def test_an_external_id_that_is_a_path_segment_is_refused_unsent(
    api: Api, httpx_mock: HTTPXMock
) -> None:
    with pytest.raises(RequestValidationError) as caught:
        await api("tasks.get_by_external_id", "..")

    assert str(caught.value) == "external_task_id: '..' is not an id"
    assert caught.value.field == "external_task_id"
    assert httpx_mock.get_requests() == []
