"""The simulator's HTTP answers: JSON envelopes, API errors, plain text and (streamed) files.

Nothing else lives here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ._rules import ApiError
from ._state import SimResponse

_JSON = "application/json"


def json_response(status: int, envelope: dict[str, Any], request_id: str) -> SimResponse:
    body = json.dumps(envelope, separators=(",", ":"), ensure_ascii=False).encode()
    headers = {
        "Content-Type": _JSON,
        "Content-Length": str(len(body)),
        "X-Request-Id": request_id,
    }
    return SimResponse(status, headers, body)


def error_response(error: ApiError, request_id: str) -> SimResponse:
    envelope = {
        "code": error.code,
        "message": error.message,
        "request_id": request_id,
        "data": None,
    }
    return json_response(error.http_status, envelope, request_id)


def text_response(status: int, text: str) -> SimResponse:
    body = text.encode()
    headers = {"Content-Type": "text/plain; charset=utf-8", "Content-Length": str(len(body))}
    return SimResponse(status, headers, body)


def stream_response(content_type: str, length: int, body: bytes | Iterable[bytes]) -> SimResponse:
    return SimResponse(200, {"Content-Type": content_type, "Content-Length": str(length)}, body)


def file_response(content_type: str, body: bytes) -> SimResponse:
    return stream_response(content_type, len(body), body)
