"""Hostile input to `kling_edit.webhooks`: only `KlingEditError`s escape `verify`, never a 500."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import pytest

from kling_edit import KlingEditError, RequestValidationError
from kling_edit.webhooks import MemorySeenIds, WebhookVerificationError, asgi_app, verify

SECRET = "whsec_" + base64.b64encode(b"SECRET-webhook-key-for-the-tests").decode()
# Within a generous tolerance of now, but past the last year a datetime can hold (9999).
YEAR_33658 = "999999999999"
HEADERS = {"webhook-id": "msg_1", "webhook-timestamp": YEAR_33658, "webhook-signature": "v1,x"}


def test_a_timestamp_past_year_9999_within_a_huge_tolerance_is_out_of_range() -> None:
    with pytest.raises(WebhookVerificationError) as caught:
        verify(b"{}", HEADERS, SECRET, tolerance=1e12)
    assert caught.value.check == "timestamp_out_of_range"


@pytest.mark.parametrize("secret", [5, None, b"whsec_eA==", [5], [SECRET, None]])
def test_a_secret_of_the_wrong_type_names_the_field(secret: Any) -> None:
    with pytest.raises(RequestValidationError, match="secret"):
        verify(b"{}", HEADERS, secret)


@pytest.mark.parametrize("tolerance", ["5", None, [1]])
def test_a_tolerance_of_the_wrong_type_names_the_field(tolerance: Any) -> None:
    with pytest.raises(RequestValidationError, match="tolerance"):
        verify(b"{}", HEADERS, SECRET, tolerance=tolerance)


def answer(app: Any, headers: list[tuple[bytes, bytes]], body: bytes = b"{}") -> int:
    """The status `app` answers one POST with, called straight through ASGI (no server)."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "headers": headers}
    asyncio.run(app(scope, receive, send))
    status = sent[0]["status"]
    assert isinstance(status, int)
    return status


@pytest.mark.parametrize(
    "content_length",
    ["\N{SUPERSCRIPT TWO}".encode("latin-1"), b"9" * 5000],
    ids=["superscript-digit", "5000-digits"],
)
def test_a_content_length_that_is_no_number_gets_no_500(content_length: bytes) -> None:
    body = json.dumps({"task_id": "t-1", "task_status": "processing"}).encode()
    status = answer(asgi_app(print), [(b"content-length", content_length)], body)
    assert status in (200, 400, 413)


def test_the_receiver_answers_a_year_33658_timestamp_with_401() -> None:
    app = asgi_app(print, secret=SECRET, tolerance=1e12)
    headers = [(name.encode(), value.encode()) for name, value in HEADERS.items()]
    assert answer(app, headers) == 401


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"max_body_bytes": "1000"}, "max_body_bytes"),
        ({"max_body_bytes": 1.5}, "max_body_bytes"),
        ({"max_body_bytes": True}, "max_body_bytes"),
        ({"seen_ids": 5}, "seen_ids"),
        ({"on_task": None}, "on_task"),
    ],
)
def test_asgi_app_refuses_unusable_arguments_when_made(
    arguments: dict[str, Any], field: str
) -> None:
    """Each was accepted and failed at the first delivery (a 500, or on_task never called)."""
    arguments.setdefault("on_task", print)
    with pytest.raises(RequestValidationError) as caught:
        asgi_app(**arguments)
    assert caught.value.field == field


@pytest.mark.parametrize("maxsize", ["5", 1.5, None, True])
def test_memory_seen_ids_refuses_a_bound_that_is_no_whole_number(maxsize: Any) -> None:
    with pytest.raises(RequestValidationError, match="maxsize"):
        MemorySeenIds(maxsize)


def _signed(body: bytes) -> dict[str, str]:
    from kling_edit.testing._signing import sign_callback

    return sign_callback(body, SECRET)


TASK_BODY = json.dumps({"task_id": "t-1", "task_status": "processing"}).encode()


@pytest.mark.parametrize(
    "as_given", [TASK_BODY.decode(), bytearray(TASK_BODY), memoryview(TASK_BODY)],
    ids=["str", "bytearray", "memoryview"],
)  # fmt: skip
def test_a_body_given_as_text_or_a_buffer_verifies_like_bytes(as_given: Any) -> None:
    """Frameworks hand the raw body over in several forms (Flask's as_text=True, say)."""
    assert verify(as_given, _signed(TASK_BODY), SECRET).task_id == "t-1"


@pytest.mark.parametrize("body", [None, 5, ["{}"]])
def test_a_body_that_is_no_text_names_the_field(body: Any) -> None:
    with pytest.raises(RequestValidationError, match="body"):
        verify(body, _signed(TASK_BODY), SECRET)


def test_raw_asgi_header_bytes_verify_like_text() -> None:
    raw = {name.encode(): value.encode() for name, value in _signed(TASK_BODY).items()}
    assert verify(TASK_BODY, raw, SECRET).task_id == "t-1"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "headers",
    [
        [("webhook-id", "a")],
        None,
        {"webhook-id": 5, "webhook-timestamp": 1, "webhook-signature": 2},
    ],
    ids=["pairs", "none", "numbers"],
)
def test_headers_that_are_no_mapping_of_text_are_refused_by_name(headers: Any) -> None:
    with pytest.raises(KlingEditError, match="header"):
        verify(TASK_BODY, headers, SECRET)
