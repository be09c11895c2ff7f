"""The one error tree: every failure a user can see is a `KlingEditError`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

    from ._models import Task

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APITimeoutError",
    "AccountError",
    "AuthenticationError",
    "BadRequestError",
    "ContentPolicyError",
    "DownloadError",
    "KlingEditError",
    "NotFoundError",
    "RateLimitError",
    "RequestValidationError",
    "ServerError",
    "TaskFailedError",
    "VideoRejectedError",
    "WaitTimeoutError",
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
    """The account is in arrears, has no resource pack, or is denied access (1100-1103)."""


class BadRequestError(APIError):
    """The service rejected the parameters (1200-1202, HTTP 400)."""


class VideoRejectedError(BadRequestError):
    """init-selection answered with a non-zero `status`: the source video was not accepted."""


class NotFoundError(APIError):
    """The session or task does not exist, or belongs to another account (1203, HTTP 404)."""


class ContentPolicyError(APIError):
    """The prompt or media was refused by policy or content safety (1300-1301)."""


class RateLimitError(APIError):
    """Rate, concurrency or resource-pack limit, or IP not allowed (1302-1304, HTTP 429)."""


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


_CODE_CLASSES: tuple[tuple[range, type[APIError]], ...] = (
    (range(1000, 1100), AuthenticationError),
    (range(1100, 1200), AccountError),
    (range(1203, 1204), NotFoundError),
    (range(1200, 1300), BadRequestError),
    (range(1300, 1302), ContentPolicyError),
    (range(1302, 1400), RateLimitError),
    (range(5000, 6000), ServerError),
)


def _class_for(status_code: int, code: int | None) -> type[APIError]:
    # The envelope code is more precise than the HTTP status (e.g. 429 covers both arrears and
    # rate limits), so it decides first; the status covers answers without a known code.
    for codes, cls in _CODE_CLASSES:
        if code is not None and code in codes:
            return cls
    if status_code == 401:
        return AuthenticationError
    if status_code == 403:
        return AccountError
    if status_code == 404:
        return NotFoundError
    if status_code == 429:
        return RateLimitError
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
