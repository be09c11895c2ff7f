"""The one error tree: every failure a user can see is a `KlingEditError`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, Literal, NamedTuple

if TYPE_CHECKING:
    import httpx

    from ._models import Task

__all__ = [
    "ERROR_CODES",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APITimeoutError",
    "AccountError",
    "AuthenticationError",
    "BadRequestError",
    "Check",
    "ContentPolicyError",
    "DownloadError",
    "ErrorCode",
    "KlingEditError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestValidationError",
    "ServerError",
    "TaskFailedError",
    "VideoRejectedError",
    "WaitTimeoutError",
    "WebhookVerificationError",
    "error_from_envelope",
]


class KlingEditError(Exception):
    """Base of every error this package raises.

    Carries the fields of an API answer when there was one: `status_code` (HTTP), `code`
    (Kling's envelope code), `message` and `request_id` (quote it to support).
    """

    status_code: int | None = None
    code: int | None = None
    request_id: str | None = None
    # Set on errors from tasks.create: False when the task was certainly not created, None when
    # that is unknown (look it up later by `external_task_id`).
    task_created: bool | None = None
    external_task_id: str | None = None

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RequestValidationError(KlingEditError, ValueError):
    """Bad input, found before any request was sent. `field` names the argument at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class APIError(KlingEditError):
    """The service answered with an error: a non-2xx status, or a non-zero envelope `code`."""

    # Seconds the answer's Retry-After asked to wait (None: not given or unreadable).
    retry_after: float | None = None

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None,
        code: int | None,
        request_id: str | None,
        response: httpx.Response | None = None,
        body: Any = None,
    ) -> None:
        details = ", ".join(
            f"{name} {value}"
            for name, value in (("HTTP", status_code), ("code", code), ("request_id", request_id))
            if value is not None
        )
        super().__init__(f"{message} ({details})" if details else message)
        self.message = message
        self.status_code = status_code
        self.code = code
        self.request_id = request_id
        self.response = response
        self.body = body


class AuthenticationError(APIError):
    """The key is missing, wrong, expired or not yet valid (codes 1000-1004, HTTP 401)."""


class AccountError(APIError):
    """The account is abnormal, in arrears, or out of resource packs (1100-1102, HTTP 429)."""


class PermissionDeniedError(AccountError):
    """The key may not use this API or model (1103, HTTP 403), or this IP is not on the
    account's allow list (1304). Waiting does not help: the account's settings must change.
    """


class BadRequestError(APIError):
    """The service rejected the parameters (1200-1201, HTTP 400)."""


class VideoRejectedError(BadRequestError):
    """init-selection answered with a non-zero `status`: the source video was not accepted."""


class NotFoundError(APIError):
    """No such route or method (1202), or the session or task does not exist or belongs to
    another account (1203); HTTP 404.
    """


class ContentPolicyError(APIError):
    """The prompt or media was refused by policy or content safety (1300-1301)."""


class RateLimitError(APIError):
    """Rate limit or concurrency over the resource-pack limit (1302-1303, HTTP 429)."""


class ServerError(APIError):
    """The service failed, is in maintenance, or timed out (5000-5002, HTTP 5xx)."""


class APIResponseValidationError(APIError):
    """The service answered 2xx with a body this client cannot read."""


class APIConnectionError(KlingEditError):
    """No answer was received: the connection failed or was dropped.

    `maybe_delivered` is False when the request certainly never reached the service (the
    connection could not be opened), True when it may have been processed.
    """

    def __init__(self, message: str, *, maybe_delivered: bool) -> None:
        super().__init__(message)
        self.maybe_delivered = maybe_delivered


class APITimeoutError(APIConnectionError):
    """No answer within the timeout."""


class TaskFailedError(KlingEditError):
    """The task ended as `failed`; `task` is the final Task and `message` says why."""

    def __init__(self, task: Task) -> None:
        reason = task.status_message or "no reason given"
        super().__init__(f"task {task.task_id} failed: {reason}")
        self.task = task


class WaitTimeoutError(KlingEditError, TimeoutError):
    """wait() reached its deadline; `task` is the last Task seen (None if no poll succeeded)."""

    def __init__(self, task_id: str, timeout: float, task: Task | None) -> None:
        status = task.status if task is not None else "unknown"
        super().__init__(
            f"task {task_id} did not finish within {timeout:g} s (last status: {status});"
            " it keeps running: wait again or check it later"
        )
        self.task_id = task_id
        self.task = task


class DownloadError(KlingEditError):
    """A result could not be downloaded; `status_code` is the HTTP status when there was one."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


Check = Literal[
    "missing_header", "bad_timestamp", "timestamp_out_of_range", "no_matching_signature", "bad_body"
]


class WebhookVerificationError(KlingEditError):
    """A callback delivery that must not be trusted. `check` names the check that failed:

    "missing_header", "bad_timestamp", "timestamp_out_of_range", "no_matching_signature" or
    "bad_body" (the signature held but the body is not a task). Raised by
    `kling_edit.webhooks`.
    """

    def __init__(self, check: Check, message: str) -> None:
        super().__init__(message)
        self.check = check


class ErrorCode(NamedTuple):
    """One row of Kling's error-code table: the HTTP status it comes with, and our class."""

    status_code: int
    error_class: type[APIError]


# Kling's error-code table (docs/api-reference.md, "Errors"; tests compare every row with it).
# 1304 (IP not on the allow list) comes under HTTP 429 but is no rate limit: retrying cannot
# help, so it is a PermissionDeniedError like 1103.
ERROR_CODES: Final[Mapping[int, ErrorCode]] = {
    1000: ErrorCode(401, AuthenticationError),
    1001: ErrorCode(401, AuthenticationError),
    1002: ErrorCode(401, AuthenticationError),
    1003: ErrorCode(401, AuthenticationError),
    1004: ErrorCode(401, AuthenticationError),
    1100: ErrorCode(429, AccountError),
    1101: ErrorCode(429, AccountError),
    1102: ErrorCode(429, AccountError),
    1103: ErrorCode(403, PermissionDeniedError),
    1200: ErrorCode(400, BadRequestError),
    1201: ErrorCode(400, BadRequestError),
    1202: ErrorCode(404, NotFoundError),
    1203: ErrorCode(404, NotFoundError),
    1300: ErrorCode(400, ContentPolicyError),
    1301: ErrorCode(400, ContentPolicyError),
    1302: ErrorCode(429, RateLimitError),
    1303: ErrorCode(429, RateLimitError),
    1304: ErrorCode(429, PermissionDeniedError),
    5000: ErrorCode(500, ServerError),
    5001: ErrorCode(503, ServerError),
    5002: ErrorCode(504, ServerError),
}
# For answers whose code is missing or not in the table (a proxy's HTML page, a new code).
_STATUS_CLASSES: Final[Mapping[int, type[APIError]]] = {
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitError,
}


def _class_for(status_code: int, code: int | None) -> type[APIError]:
    # The envelope code is more precise than the HTTP status (e.g. 429 covers both arrears and
    # rate limits), so it decides first; the status covers answers without a known code.
    if code is not None and code in ERROR_CODES:
        return ERROR_CODES[code].error_class
    if status_code in _STATUS_CLASSES:
        return _STATUS_CLASSES[status_code]
    if status_code >= 500:
        return ServerError
    if 400 <= status_code < 500:
        return BadRequestError
    return APIError


def error_from_envelope(
    status_code: int,
    body: Any,
    *,
    response: httpx.Response | None = None,
    request_id: str | None = None,
) -> APIError:
    """Build the error for an answer whose status or envelope `code` says it failed."""
    envelope = body if isinstance(body, dict) else {}
    code = envelope.get("code")
    code = code if isinstance(code, int) and not isinstance(code, bool) else None
    message = envelope.get("message")
    if not isinstance(message, str) or not message:
        message = f"the service answered HTTP {status_code}"
    found_id = envelope.get("request_id")
    request_id = found_id if isinstance(found_id, str) and found_id else request_id
    return _class_for(status_code, code)(
        message,
        status_code=status_code,
        code=code,
        request_id=request_id,
        response=response,
        body=body,
    )
