"""Every failure reaches the caller as the right KlingEditError subclass, carrying the answer."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

import kling_edit
from kling_edit import (
    AccountError,
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ContentPolicyError,
    KlingEditError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestValidationError,
    ServerError,
    VideoRejectedError,
    WaitTimeoutError,
)
from kling_edit._errors import ERROR_CODES, error_from_envelope
from spec_helpers import reference_table
from wrapper_helpers import (
    API,
    INIT_URL,
    TASK_ID,
    Api,
    envelope,
    error_body,
    session_data,
    task_data,
)

TASK_URL = f"{API}/{TASK_ID}"


def _case(status: int, code: int | None, cls: type[APIError]) -> Any:
    return pytest.param(status, code, cls, id=f"{status}-{code}-{cls.__name__}")


# (HTTP status, envelope code or None for a body without one, error class); the code decides
# when there is one, because one status covers several meanings (429: arrears or rate limit).
STATUS_AND_CODE_CLASSES = [
    *(_case(401, code, AuthenticationError) for code in range(1000, 1005)),
    *(_case(429, code, AccountError) for code in (1100, 1101, 1102)),
    _case(403, 1103, PermissionDeniedError),
    *(_case(400, code, BadRequestError) for code in (1200, 1201)),
    *(_case(404, code, NotFoundError) for code in (1202, 1203)),
    *(_case(400, code, ContentPolicyError) for code in (1300, 1301)),
    *(_case(429, code, RateLimitError) for code in (1302, 1303)),
    _case(429, 1304, PermissionDeniedError),
    _case(500, 5000, ServerError),
    _case(503, 5001, ServerError),
    _case(504, 5002, ServerError),
    # A 200 whose envelope code is not 0 is an error all the same.
    _case(200, 1201, BadRequestError),
    _case(200, 1000, AuthenticationError),
    _case(200, 5000, ServerError),
    # Answers without an envelope (a proxy's HTML page) fall back to the status.
    _case(401, None, AuthenticationError),
    _case(403, None, PermissionDeniedError),
    _case(404, None, NotFoundError),
    _case(400, None, BadRequestError),
    _case(429, None, RateLimitError),
    _case(500, None, ServerError),
    _case(502, None, ServerError),
]


def _add_error(httpx_mock: HTTPXMock, status: int, code: int | None, **headers: str) -> None:
    if code is None:
        httpx_mock.add_response(url=TASK_URL, status_code=status, text="<html>oops</html>")
    else:
        httpx_mock.add_response(
            url=TASK_URL, status_code=status, json=error_body(code), headers=headers
        )


@pytest.mark.parametrize(("status", "code", "cls"), STATUS_AND_CODE_CLASSES)
async def test_each_status_and_code_raises_its_error_class(
    api: Api, httpx_mock: HTTPXMock, status: int, code: int | None, cls: type[APIError]
) -> None:
    _add_error(httpx_mock, status, code)

    with pytest.raises(cls) as caught:
        await api("tasks.get", TASK_ID, max_retries=0)

    assert type(caught.value) is cls
    assert (caught.value.status_code, caught.value.code) == (status, code)


async def test_error_carries_the_answer(api: Api, httpx_mock: HTTPXMock) -> None:
    body = error_body(1201, "frame_index must be below total_frame", request_id="req-body")
    httpx_mock.add_response(
        url=TASK_URL, status_code=400, json=body, headers={"X-Request-Id": "req-header"}
    )

    with pytest.raises(BadRequestError) as caught:
        await api("tasks.get", TASK_ID)

    error = caught.value
    assert error.message == "frame_index must be below total_frame"
    assert error.request_id == "req-body"  # the body's own id wins over the proxy's header
    assert error.body == body
    assert error.response is not None
    assert error.response.status_code == 400
    assert str(error) == (
        "frame_index must be below total_frame (HTTP 400, code 1201, request_id req-body)"
    )


async def test_request_id_comes_from_the_header_when_the_body_has_none(
    api: Api, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(
        url=TASK_URL, status_code=401, json=error_body(1001), headers={"X-Request-Id": "req-h"}
    )

    with pytest.raises(AuthenticationError) as caught:
        await api("tasks.get", TASK_ID)

    assert caught.value.request_id == "req-h"


async def test_an_answer_without_envelope_is_explained_by_its_status(
    api: Api, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=TASK_URL, status_code=502, text="<html>Bad Gateway</html>")

    with pytest.raises(ServerError) as caught:
        await api("tasks.get", TASK_ID, max_retries=0)

    assert caught.value.message == "the service answered HTTP 502"
    assert caught.value.code is None


def _ok_answer(data: Any) -> dict[str, Any]:
    return {"code": 0, "message": "SUCCEED", "data": data}


# 2xx answers this client cannot read: each must become APIResponseValidationError, never the
# generator's KeyError/TypeError/ValueError and never a crash further on.
UNREADABLE_ANSWERS = [
    pytest.param("tasks.get", TASK_URL, b"not json", id="not-json"),
    pytest.param("tasks.get", TASK_URL, b"[1, 2]", id="json-not-an-object"),
    pytest.param("tasks.get", TASK_URL, {"code": 0, "data": task_data()}, id="no-message"),
    pytest.param("tasks.get", TASK_URL, _ok_answer(None), id="data-null"),
    pytest.param(
        "tasks.get", TASK_URL, _ok_answer({"task_status": "submitted"}), id="task-without-id"
    ),
    pytest.param("tasks.get", TASK_URL, _ok_answer(task_data(task_id="")), id="empty-task-id"),
    pytest.param("tasks.list", f"{API}?pageNum=1&pageSize=30", _ok_answer({}), id="list-not-list"),
    pytest.param(
        "tasks.list", f"{API}?pageNum=1&pageSize=30", _ok_answer([{"x": 1}]), id="list-bad-item"
    ),
]


@pytest.mark.parametrize(("method", "url", "answer"), UNREADABLE_ANSWERS)
async def test_an_unreadable_success_raises_response_validation_error(
    api: Api, httpx_mock: HTTPXMock, method: str, url: str, answer: bytes | dict[str, Any]
) -> None:
    if isinstance(answer, bytes):
        httpx_mock.add_response(url=url, content=answer)
    else:
        httpx_mock.add_response(url=url, json=answer)
    args = (TASK_ID,) if method == "tasks.get" else ()

    with pytest.raises(APIResponseValidationError) as caught:
        await api(method, *args)

    assert caught.value.status_code == 200
    assert caught.value.response is not None
    assert len(httpx_mock.get_requests()) == 1  # the service did answer: resending cannot help


async def test_a_rejected_video_explains_which_facts_are_out_of_range(
    api: Api, httpx_mock: HTTPXMock
) -> None:
    rejected = session_data(status=1, fps=25.0, width=640, height=360, duration_ms=12000)
    httpx_mock.add_response(url=INIT_URL, json=envelope(rejected, request_id="req-init"))

    with pytest.raises(VideoRejectedError) as caught:
        await api("sessions.init", video_url="https://videos.test/clip.mp4")

    error = caught.value
    assert isinstance(error, BadRequestError)
    for problem in ("25 fps", "width 640 px", "height 360 px", "12 s long"):
        assert problem in error.message
    assert (error.status_code, error.code, error.request_id) == (200, 1, "req-init")


async def test_a_rejected_video_within_the_limits_says_no_reason_was_given(
    api: Api, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=INIT_URL, json=envelope(session_data(status=3)))

    with pytest.raises(VideoRejectedError, match="gave no reason"):
        await api("sessions.init", video_url="https://videos.test/clip.mp4")


def test_the_error_tree() -> None:
    public_errors = [
        value
        for value in vars(kling_edit).values()
        if isinstance(value, type)
        and issubclass(value, BaseException)
        and not issubclass(value, Warning)
    ]
    assert len(public_errors) == 19  # WebhookVerificationError among them
    assert all(issubclass(cls, KlingEditError) for cls in public_errors)
    # Callers catch these by the builtin they resemble.
    assert issubclass(RequestValidationError, ValueError)
    assert issubclass(WaitTimeoutError, TimeoutError)
    assert issubclass(APITimeoutError, APIConnectionError)
    assert issubclass(VideoRejectedError, BadRequestError)
    assert issubclass(APIResponseValidationError, APIError)
    # Code that caught AccountError for 1103 before PermissionDeniedError existed still does.
    assert issubclass(PermissionDeniedError, AccountError)


def _documented_error_rows() -> list[Any]:
    return [
        pytest.param(int(row["HTTP"]), int(row["code"]), row["exception"], id=row["code"])
        for row in reference_table("Errors")
    ]


@pytest.mark.parametrize(("status", "code", "class_name"), _documented_error_rows())
def test_every_documented_code_maps_to_its_status_and_class(
    status: int, code: int, class_name: str
) -> None:
    entry = ERROR_CODES[code]
    assert (entry.status_code, entry.error_class.__name__) == (status, class_name)
    # Code first: the same code under another status (or a 200) still picks the code's class.
    for answered in (status, 200, 400):
        error = error_from_envelope(answered, {"code": code, "message": "m", "request_id": "r"})
        assert type(error).__name__ == class_name


def test_the_code_table_has_no_row_the_reference_lacks() -> None:
    assert set(ERROR_CODES) == {int(row["code"]) for row in reference_table("Errors")}


def test_request_validation_error_names_field_and_rule() -> None:
    error = RequestValidationError("duration", "must be one of 5, 10; got 7")

    assert error.field == "duration"
    assert str(error) == "duration: must be one of 5, 10; got 7"


def test_connection_errors_record_whether_the_request_may_have_arrived() -> None:
    from kling_edit._retry import connection_error

    request = httpx.Request("GET", TASK_URL)
    refused = connection_error(httpx.ConnectError("refused", request=request))
    lost = connection_error(httpx.RemoteProtocolError("dropped", request=request))
    timed_out = connection_error(httpx.ReadTimeout("slow", request=request))

    assert (type(refused), refused.maybe_delivered) == (APIConnectionError, False)
    assert (type(lost), lost.maybe_delivered) == (APIConnectionError, True)
    assert (type(timed_out), timed_out.maybe_delivered) == (APITimeoutError, True)
