"""Kling's error table, code by code at every range edge, mapped to the one error class each gets.

Codes and statuses are the literals of the table (docs/api-reference.md, "Errors").
"""

from __future__ import annotations

from typing import Any

import pytest

from kling_edit import (
    AccountError,
    APIConnectionError,
    APIError,
    AuthenticationError,
    BadRequestError,
    ContentPolicyError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    Task,
    TaskFailedError,
    WaitTimeoutError,
)
from kling_edit._errors import error_from_envelope

# (HTTP status, envelope code, class): the code decides when the table knows it.
BY_CODE: list[tuple[int, int | None, type[APIError]]] = [
    (401, 1000, AuthenticationError),
    (401, 1004, AuthenticationError),
    (401, 1099, AuthenticationError),
    (429, 1100, AccountError),
    (429, 1102, AccountError),
    (403, 1103, PermissionDeniedError),
    (400, 1200, BadRequestError),
    (400, 1201, BadRequestError),
    (404, 1202, NotFoundError),
    (404, 1203, NotFoundError),
    (400, 1300, ContentPolicyError),
    (400, 1301, ContentPolicyError),
    (429, 1302, RateLimitError),
    (429, 1303, RateLimitError),
    (429, 1304, PermissionDeniedError),
    (500, 5000, ServerError),
    (503, 5001, ServerError),
    (504, 5002, ServerError),
]
# Codes outside the table, or none: the HTTP status decides.
BY_STATUS: list[tuple[int, int | None, type[APIError]]] = [
    (401, None, AuthenticationError),
    (403, 999, PermissionDeniedError),
    # Codes in no row of the table under HTTP 200: nothing says which class, so the base one.
    (200, 1199, APIError),
    (200, 1204, APIError),
    (200, 1399, APIError),
    (200, 5999, APIError),
    (404, 1400, NotFoundError),
    (429, 6000, RateLimitError),
    (500, 4999, ServerError),
    (599, None, ServerError),
    (400, None, BadRequestError),
    (499, None, BadRequestError),
    (399, None, APIError),
    (200, 1, APIError),
    (200, None, APIError),
]


@pytest.mark.parametrize(("status", "code", "cls"), BY_CODE + BY_STATUS)
def test_each_code_and_status_gets_its_class(status: int, code: int | None, cls: type) -> None:
    error = error_from_envelope(status, {"code": code, "message": "m", "request_id": "r"})

    assert type(error) is cls
    assert (error.status_code, error.code, error.request_id, error.message) == (
        status,
        code,
        "r",
        "m",
    )


@pytest.mark.parametrize(
    ("body", "fallback", "text"),
    [
        (
            {"code": 1201, "message": "bad prompt", "request_id": "r-1"},
            None,
            "bad prompt (HTTP 400, code 1201, request_id r-1)",
        ),
        (
            {"code": 1201, "message": "", "request_id": ""},
            "hdr",
            "the service answered HTTP 400 (HTTP 400, code 1201, request_id hdr)",
        ),
        ({"code": True, "message": 5}, None, "the service answered HTTP 400 (HTTP 400)"),
        ("not a dict", "hdr", "the service answered HTTP 400 (HTTP 400, request_id hdr)"),
        ({"code": "1201", "request_id": 7}, None, "the service answered HTTP 400 (HTTP 400)"),
    ],
)
def test_the_message_carries_what_the_answer_gave(
    body: Any, fallback: str | None, text: str
) -> None:
    error = error_from_envelope(400, body, request_id=fallback)

    assert str(error) == text
    assert error.body == body


def test_an_error_without_details_is_just_its_message() -> None:
    error = APIError("m", status_code=None, code=None, request_id=None)

    assert (str(error), error.message, error.response, error.body) == ("m", "m", None, None)


def _task(status: str, message: str = "") -> Task:
    return Task(task_id="task-9", status=status, status_message=message or None)


def test_a_failed_task_says_why() -> None:
    assert str(TaskFailedError(_task("failed", "nsfw"))) == "task task-9 failed: nsfw"
    assert str(TaskFailedError(_task("failed"))) == "task task-9 failed: no reason given"


def test_a_wait_timeout_names_the_task_the_time_and_the_last_status() -> None:
    task = _task("processing")

    error = WaitTimeoutError("task-9", 2.5, task)

    assert str(error) == (
        "task task-9 did not finish within 2.5 s (last status: processing);"
        " it keeps running: wait again or check it later"
    )
    assert (error.task_id, error.task) == ("task-9", task)
    assert isinstance(error, TimeoutError)
    assert "last status: unknown" in str(WaitTimeoutError("task-9", 1, None))


@pytest.mark.parametrize("delivered", [True, False])
def test_a_connection_error_says_whether_the_request_may_have_arrived(delivered: bool) -> None:
    error = APIConnectionError("lost", maybe_delivered=delivered)

    assert (str(error), error.maybe_delivered) == ("lost", delivered)
