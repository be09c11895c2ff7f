"""The flows of the sans-IO core, run by both clients: retries, create-once, wait, callbacks."""

from __future__ import annotations

import email.utils
import json
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from kling_edit import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    NotFoundError,
    PollSchedule,
    TaskFailedError,
    WaitTimeoutError,
    parse_callback,
)
from kling_edit._operations import get_task
from kling_edit._retry import RetryPolicy, call, retry_after
from kling_edit._steps import CallOptions, Send, Sleep
from kling_edit._version import __version__
from wrapper_helpers import (
    ADD_URL,
    API,
    INIT_URL,
    KEY,
    PROMPT,
    SESSION_ID,
    TASK_ID,
    Api,
    MakeApi,
    VirtualClock,
    envelope,
    error_body,
    selection_data,
    session_data,
    task_data,
)

TASK_URL = f"{API}/{TASK_ID}"
VIDEO_URL = "https://videos.test/clip.mp4"

# A failing answer, registered for one URL.
Failure = Callable[[HTTPXMock, str], None]


def _raises(cls: type[httpx.TransportError]) -> Failure:
    return lambda mock, url: mock.add_exception(cls("simulated"), url=url)


def _answers(status: int, code: int | None = None, **headers: str) -> Failure:
    def add(mock: HTTPXMock, url: str) -> None:
        if code is None:
            mock.add_response(url=url, status_code=status, text="busy", headers=headers)
        else:
            mock.add_response(url=url, status_code=status, json=error_body(code), headers=headers)

    return add


TRANSIENT = {
    "connect-error": _raises(httpx.ConnectError),
    "read-timeout": _raises(httpx.ReadTimeout),
    "response-lost": _raises(httpx.RemoteProtocolError),
    **{f"http-{status}": _answers(status) for status in (408, 409, 429, 500, 502, 503, 504)},
    "code-1302": _answers(429, 1302),
    "code-1303": _answers(429, 1303),
    "code-5000": _answers(500, 5000),
    "code-5001": _answers(503, 5001),
    "code-5002": _answers(504, 5002),
    "code-1302-in-a-200": _answers(200, 1302),
}
PERMANENT = {
    "http-400-1200": _answers(400, 1200),
    "http-401-1000": _answers(401, 1000),
    "http-404-1203": _answers(404, 1203),
    "http-429-1304-ip-not-allowed": _answers(429, 1304),
    "http-429-1101-no-balance": _answers(429, 1101),
    "http-400": _answers(400),
    "http-404": _answers(404),
    "http-200-1201": _answers(200, 1201),
}


def _ok_task(mock: HTTPXMock, url: str = TASK_URL, **fields: Any) -> None:
    mock.add_response(url=url, json=envelope(task_data(**fields)))


# ---------------------------------------------------------------------------------------------
# Retries


@pytest.mark.parametrize("failure", TRANSIENT.values(), ids=TRANSIENT.keys())
async def test_transient_failures_are_retried_until_one_succeeds(
    api: Api, httpx_mock: HTTPXMock, clock: VirtualClock, failure: Failure
) -> None:
    failure(httpx_mock, TASK_URL)
    failure(httpx_mock, TASK_URL)
    _ok_task(httpx_mock)

    task = await api("tasks.get", TASK_ID)

    assert task.task_id == TASK_ID
    assert len(httpx_mock.get_requests()) == 3
    assert len(clock.sleeps) == 2


@pytest.mark.parametrize("failure", TRANSIENT.values(), ids=TRANSIENT.keys())
async def test_retries_stop_at_max_retries(
    make_api: MakeApi, clock: VirtualClock, httpx_mock: HTTPXMock, failure: Failure
) -> None:
    api = make_api(max_retries=3)
    for _ in range(4):
        failure(httpx_mock, TASK_URL)

    with pytest.raises((APIError, APIConnectionError)):
        await api("tasks.get", TASK_ID)

    assert len(httpx_mock.get_requests()) == 4


@pytest.mark.parametrize("failure", PERMANENT.values(), ids=PERMANENT.keys())
async def test_permanent_failures_are_not_retried(
    api: Api, httpx_mock: HTTPXMock, clock: VirtualClock, failure: Failure
) -> None:
    failure(httpx_mock, TASK_URL)

    with pytest.raises(APIError):
        await api("tasks.get", TASK_ID)

    assert len(httpx_mock.get_requests()) == 1
    assert clock.sleeps == []


def _http_date(seconds_ahead: float) -> str:
    return email.utils.format_datetime(
        datetime.now(UTC) + timedelta(seconds=seconds_ahead), usegmt=True
    )


IN_30_SECONDS = "<an HTTP date 30 s ahead>"


@pytest.mark.parametrize(
    ("status", "value", "low", "high"),
    [
        pytest.param(429, "3", 3.0, 3.0, id="seconds"),
        pytest.param(503, "1.5", 1.5, 1.5, id="fraction-on-503"),
        pytest.param(429, "0", 0.0, 0.0, id="zero"),
        pytest.param(429, "-4", 0.0, 0.0, id="negative-means-now"),
        pytest.param(429, IN_30_SECONDS, 28.0, 30.0, id="http-date"),
        # Unreadable: exponential back-off instead (first step 0.5 s, jitter). Beyond the cap:
        # test_retry_after.py.
        pytest.param(429, "soon", 0.375, 0.5, id="garbage"),
        pytest.param(429, "", 0.375, 0.5, id="empty"),
        pytest.param(429, "nan", 0.375, 0.5, id="nan"),
    ],
)
async def test_retry_after_is_honoured(
    api: Api,
    httpx_mock: HTTPXMock,
    clock: VirtualClock,
    status: int,
    value: str,
    low: float,
    high: float,
) -> None:
    if value == IN_30_SECONDS:  # made now: a date made at collection would have aged
        value = _http_date(30)
    httpx_mock.add_response(
        url=TASK_URL, status_code=status, json=error_body(1302), headers={"Retry-After": value}
    )
    _ok_task(httpx_mock)

    await api("tasks.get", TASK_ID)

    (delay,) = clock.sleeps
    assert low <= delay <= high


async def test_back_off_doubles_up_to_its_ceiling(
    make_api: MakeApi, httpx_mock: HTTPXMock, clock: VirtualClock
) -> None:
    api = make_api(max_retries=6)
    httpx_mock.add_response(url=TASK_URL, status_code=503, is_reusable=True)

    with pytest.raises(APIError):
        await api("tasks.get", TASK_ID)

    for delay, base in zip(clock.sleeps, [0.5, 1, 2, 4, 8, 8], strict=True):
        assert base * 0.75 <= delay <= base


def test_retry_policy_without_jitter_is_exact() -> None:
    policy = RetryPolicy(jitter=0.0)

    assert [policy.delay(attempt) for attempt in range(6)] == [0.5, 1, 2, 4, 8, 8]
    assert policy.delay(3, retry_after=12.0) == 12.0
    assert policy.delay(3, retry_after=61.0) == 4.0


def test_retry_after_reads_both_header_forms() -> None:
    def header(value: str) -> float | None:
        return retry_after(httpx.Response(429, headers={"Retry-After": value}))

    assert header("7") == 7.0
    assert header(_http_date(-60)) == 0.0  # a date in the past: go now
    assert header("whenever") is None
    assert retry_after(httpx.Response(429)) is None


# init-selection is billed: resent only when the service provably did nothing.
INIT_REPLAY = [
    pytest.param(_raises(httpx.ConnectError), True, id="connect-error"),
    pytest.param(_answers(429), True, id="http-429"),
    pytest.param(_answers(429, 1302), True, id="code-1302"),
    pytest.param(_answers(429, 1303), True, id="code-1303"),
    pytest.param(_raises(httpx.ReadTimeout), False, id="read-timeout"),
    pytest.param(_raises(httpx.RemoteProtocolError), False, id="response-lost"),
    pytest.param(_answers(500, 5000), False, id="code-5000"),
    pytest.param(_answers(503), False, id="http-503"),
]


@pytest.mark.parametrize(("failure", "resent"), INIT_REPLAY)
async def test_init_selection_is_resent_only_when_nothing_was_billed(
    api: Api, httpx_mock: HTTPXMock, clock: VirtualClock, failure: Failure, resent: bool
) -> None:
    failure(httpx_mock, INIT_URL)
    if resent:
        httpx_mock.add_response(url=INIT_URL, json=envelope(session_data()))
        session = await api("sessions.init", video_url=VIDEO_URL)
        assert session.session_id == SESSION_ID
    else:
        with pytest.raises((APIError, APIConnectionError)):
            await api("sessions.init", video_url=VIDEO_URL)

    assert len(httpx_mock.get_requests()) == (2 if resent else 1)


async def test_per_call_options(api: Api, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=TASK_URL, status_code=503)

    with pytest.raises(APIError):
        await api("tasks.get", TASK_ID, max_retries=0, timeout=4.5, extra_headers={"X-Trace": "t1"})

    (request,) = httpx_mock.get_requests()
    assert request.extensions["timeout"] == dict.fromkeys(("connect", "read", "write", "pool"), 4.5)
    assert request.headers["X-Trace"] == "t1"


async def test_headers_sent_with_every_call(make_api: MakeApi, httpx_mock: HTTPXMock) -> None:
    api = make_api(default_headers={"X-Team": "video", "Authorization": "Bearer other"})
    _ok_task(httpx_mock)

    await api("tasks.get", TASK_ID, extra_headers={"authorization": "Bearer sneaky"})

    headers = httpx_mock.get_requests()[0].headers
    assert headers["X-Team"] == "video"
    assert headers["User-Agent"] == f"kling-edit-python/{__version__}"
    # The client's key always wins: no header option can send another account's.
    assert headers.get_list("Authorization") == [f"Bearer {KEY}"]


async def test_with_options_makes_a_client_with_other_defaults(
    api: Api, httpx_mock: HTTPXMock, clock: VirtualClock
) -> None:
    httpx_mock.add_response(url=TASK_URL, status_code=503, is_reusable=True)
    strict = Api(api.client.with_options(max_retries=0, timeout=9.0))

    with pytest.raises(APIError):
        await strict("tasks.get", TASK_ID)
    assert len(httpx_mock.get_requests()) == 1
    assert httpx_mock.get_requests()[0].extensions["timeout"]["read"] == 9.0

    with pytest.raises(APIError):
        await api("tasks.get", TASK_ID)  # the original keeps its two retries
    assert len(httpx_mock.get_requests()) == 4

    await strict.close()  # the copy shares the connections: closing it closes nothing
    assert not api.client._http.is_closed


async def test_with_options_shares_what_the_client_knows_of_sessions(
    api: Api, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=INIT_URL, json=envelope(session_data(total_frame=10)))
    await api("sessions.init", video_url=VIDEO_URL)
    other = Api(api.client.with_options(timeout=5.0))

    with pytest.raises(ValueError, match="total_frame"):
        await other("sessions.add_points", SESSION_ID, frame_index=10, points=[(0.5, 0.5)])


def test_a_flow_yields_sends_and_sleeps() -> None:
    flow = call(get_task(TASK_ID), CallOptions(timeout=3.0, max_retries=1), RetryPolicy())
    request = httpx.Request("GET", TASK_URL)

    first = next(flow)
    assert isinstance(first, Send)
    assert (first.operation.method, first.operation.path, first.attempt) == (
        "GET",
        f"/kling/v1/videos/multi-elements/{TASK_ID}",
        0,
    )
    limited = httpx.Response(
        429, json=error_body(1302), headers={"Retry-After": "2"}, request=request
    )
    assert flow.send(limited) == Sleep(2.0)
    second = flow.send(None)
    assert isinstance(second, Send)
    assert second.attempt == 1
    with pytest.raises(StopIteration) as done:
        flow.send(httpx.Response(200, json=envelope(task_data()), request=request))
    assert done.value.value.task_id == TASK_ID


# ---------------------------------------------------------------------------------------------
# Create exactly once


def _create_bodies(httpx_mock: HTTPXMock) -> list[dict[str, Any]]:
    return [json.loads(r.content) for r in httpx_mock.get_requests(method="POST", url=API)]


async def _remove(api: Api, **options: Any) -> Any:
    return await api("tasks.remove", SESSION_ID, prompt=PROMPT, **options)


async def test_create_makes_its_own_external_task_id(api: Api, httpx_mock: HTTPXMock) -> None:
    for _ in range(2):
        httpx_mock.add_response(url=API, method="POST", json=envelope(task_data()))

    task = await _remove(api)
    await _remove(api)

    first, second = (body["external_task_id"] for body in _create_bodies(httpx_mock))
    assert re.fullmatch(r"kling-edit-[0-9a-f-]{36}", first)
    uuid.UUID(first.removeprefix("kling-edit-"))
    assert first != second
    assert task.external_task_id == first


async def test_create_sends_the_callers_external_task_id(api: Api, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        url=API, method="POST", json=envelope(task_data(external_task_id="order-42"))
    )

    task = await _remove(api, external_task_id="order-42")

    assert _create_bodies(httpx_mock)[0]["external_task_id"] == "order-42"
    assert task.external_task_id == "order-42"


# The create-once path (lookups before resends, "created?") is tested in test_create_once.py.


def _list_url(page: int) -> str:
    return f"{API}?pageNum={page}&pageSize=100"


async def test_get_by_external_id(api: Api, httpx_mock: HTTPXMock) -> None:
    _ok_task(httpx_mock, f"{API}/order%2F1", external_task_id="order/1")
    httpx_mock.add_response(url=f"{API}/nope", status_code=404, json=error_body(1203))
    httpx_mock.add_response(url=_list_url(1), json=envelope([]))

    task = await api("tasks.get_by_external_id", "order/1")
    with pytest.raises(NotFoundError, match="'nope'"):
        await api("tasks.get_by_external_id", "nope")

    assert task.external_task_id == "order/1"


# ---------------------------------------------------------------------------------------------
# wait()

FAST = PollSchedule(first=0.01, factor=2.0, maximum=0.04)


def _statuses(httpx_mock: HTTPXMock, *statuses: str, reuse_last: bool = False) -> None:
    for index, status in enumerate(statuses):
        httpx_mock.add_response(
            url=TASK_URL,
            json=envelope(task_data(status=status, status_msg="content flagged")),
            is_reusable=reuse_last and index == len(statuses) - 1,
        )


async def test_wait_polls_until_success_reporting_each_change(
    api: Api, httpx_mock: HTTPXMock, clock: VirtualClock
) -> None:
    _statuses(httpx_mock, "submitted", "processing", "processing", "processing", "succeed")
    seen: list[str] = []

    task = await api("tasks.wait", TASK_ID, poll=FAST, on_progress=lambda t: seen.append(t.status))

    assert task.status == "succeed"
    assert seen == ["submitted", "processing", "succeed"]
    assert clock.sleeps == [0.01, 0.02, 0.04, 0.04]


async def test_wait_raises_when_the_task_fails(
    api: Api, httpx_mock: HTTPXMock, clock: VirtualClock
) -> None:
    _statuses(httpx_mock, "processing", "failed")

    with pytest.raises(TaskFailedError) as caught:
        await api("tasks.wait", TASK_ID, poll=FAST)

    assert caught.value.task.status_message == "content flagged"
    assert "content flagged" in str(caught.value)


@pytest.mark.parametrize("answered", [True, False], ids=["last-task", "no-answer"])
async def test_wait_gives_up_at_its_deadline(
    api: Api, httpx_mock: HTTPXMock, clock: VirtualClock, answered: bool
) -> None:
    if answered:
        _statuses(httpx_mock, "processing", reuse_last=True)
    else:
        httpx_mock.add_response(url=TASK_URL, status_code=503, is_reusable=True)
    poll = PollSchedule(first=0.25, factor=1.0, maximum=0.25)

    with pytest.raises(WaitTimeoutError) as caught:
        await api("tasks.wait", TASK_ID, timeout=2.0, poll=poll)

    assert clock.now <= 2.0 + 0.25
    assert caught.value.task_id == TASK_ID
    if answered:
        assert caught.value.task is not None
        assert caught.value.task.status == "processing"
    else:
        assert caught.value.task is None
    assert isinstance(caught.value, TimeoutError)


@pytest.mark.parametrize("failure", TRANSIENT.values(), ids=TRANSIENT.keys())
async def test_wait_rides_out_transient_poll_failures(
    api: Api, httpx_mock: HTTPXMock, clock: VirtualClock, failure: Failure
) -> None:
    _statuses(httpx_mock, "processing")
    failure(httpx_mock, TASK_URL)
    failure(httpx_mock, TASK_URL)
    _statuses(httpx_mock, "succeed")

    task = await api("tasks.wait", TASK_ID, poll=FAST)

    assert task.status == "succeed"
    assert len(httpx_mock.get_requests()) == 4  # each poll is one attempt: no retry storms


@pytest.mark.parametrize("failure", PERMANENT.values(), ids=PERMANENT.keys())
async def test_wait_stops_on_a_permanent_poll_failure(
    api: Api, httpx_mock: HTTPXMock, clock: VirtualClock, failure: Failure
) -> None:
    failure(httpx_mock, TASK_URL)

    with pytest.raises(APIError):
        await api("tasks.wait", TASK_ID, poll=FAST)

    assert len(httpx_mock.get_requests()) == 1


async def test_wait_takes_a_task_and_the_clients_schedule(
    make_api: MakeApi, httpx_mock: HTTPXMock, clock: VirtualClock
) -> None:
    api = make_api(poll_schedule=PollSchedule(first=0.5, factor=3.0, maximum=2.0))
    _statuses(httpx_mock, "submitted", "processing", "processing", "succeed")
    submitted = parse_callback(task_data())

    await api("tasks.wait", submitted, extra_headers={"X-Trace": "w"})

    assert clock.sleeps == [0.5, 1.5, 2.0]
    assert all(r.headers["X-Trace"] == "w" for r in httpx_mock.get_requests())


# ---------------------------------------------------------------------------------------------
# Callbacks

CALLBACK = task_data(
    status="succeed", external_task_id="order-1", video_url="https://cdn.kling.test/r.mp4"
)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(json.dumps(CALLBACK).encode(), id="bytes"),
        pytest.param(json.dumps(CALLBACK), id="str"),
        pytest.param(CALLBACK, id="dict"),
        pytest.param(envelope(CALLBACK), id="envelope"),
        pytest.param(json.dumps(envelope(CALLBACK)).encode(), id="envelope-bytes"),
    ],
)
def test_parse_callback_reads_a_task(body: bytes | str | dict[str, Any]) -> None:
    task = parse_callback(body)

    assert (task.task_id, task.status, task.external_task_id) == (TASK_ID, "succeed", "order-1")
    assert task.is_succeeded
    assert task.video_url == "https://cdn.kling.test/r.mp4"
    assert task.videos[0].duration == 5.1
    assert task.created_at == datetime(2024, 8, 1, tzinfo=UTC)
    assert task.raw == CALLBACK
    assert task.http_response is None


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"not json", id="not-json"),
        pytest.param(b"\xff\xfe", id="not-utf8"),
        pytest.param("[1, 2]", id="list"),
        pytest.param({"task_status": "succeed"}, id="no-task-id"),
        pytest.param({"task_id": "", "task_status": "succeed"}, id="empty-task-id"),
        pytest.param({"task_id": TASK_ID}, id="no-status"),
        pytest.param({"code": 0, "message": "ok", "data": None}, id="envelope-without-task"),
        pytest.param({"task_id": TASK_ID, "task_status": "x", "task_result": 5}, id="bad-result"),
    ],
)
def test_parse_callback_refuses_what_is_not_a_task(body: bytes | str | dict[str, Any]) -> None:
    with pytest.raises(APIResponseValidationError):
        parse_callback(body)


async def test_selection_answers_read_their_masks(api: Api, httpx_mock: HTTPXMock) -> None:
    answer = selection_data(
        frame_index=4, objects=[{"object_id": 2, "rle_mask": {"size": [2, 3], "counts": "231"}}]
    )
    httpx_mock.add_response(url=ADD_URL, json=envelope(answer))

    selection = await api("sessions.add_points", SESSION_ID, frame_index=4, points=[(0.1, 0.9)])

    assert selection.session_id == SESSION_ID
    assert selection.objects[0].rle_counts == "231"
