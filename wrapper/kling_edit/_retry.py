"""Retrying: which failures may be retried, how long to wait, and `call`, the retrying flow.

Nothing else lives here: what a request is comes from `_steps`, reading answers from `_parse`,
the call's deadline from `_budget`.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from datetime import UTC
from typing import NamedTuple, TypeVar

import httpx

from ._budget import fits, no_time_for_retry, require_time, started
from ._errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APITimeoutError,
    KlingEditError,
    ServerError,
)
from ._steps import CallOptions, Flow, Operation, Send, Sleep

T = TypeVar("T")

# Codes and statuses that say "try again later" rather than "this request is wrong".
RETRY_CODES = frozenset({1302, 1303, 5000, 5001, 5002})
RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})
# The only codes that prove a request was refused before it did anything: safe to resend even a
# call that is not idempotent (init-selection is billed).
REFUSED_CODES = frozenset({1302, 1303})


class RetryPolicy(NamedTuple):
    """Exponential back-off with jitter that honours Retry-After up to `max_retry_after`.

    A named tuple, not an attrs class: `import kling_edit` builds one attrs class fewer.
    """

    initial: float = 0.5
    maximum: float = 8.0
    jitter: float = 0.25
    max_retry_after: float = 60.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """The pause before resend number `attempt + 1`: the server's time when it gave one
        (callers raise instead when it exceeds `max_retry_after`), else the back-off."""
        if retry_after is not None and 0 <= retry_after <= self.max_retry_after:
            return retry_after
        base = min(self.initial * 2.0**attempt, self.maximum)
        return base * (1 - self.jitter * random.random())

    def allows(self, retry_after: float | None) -> bool:
        """False when the server asks for a longer wait than this policy will sleep: resending
        sooner would ignore it, so the caller gets the error at once (as openai-python does)."""
        return retry_after is None or retry_after <= self.max_retry_after


def retry_after(response: httpx.Response) -> float | None:
    """Seconds the server asked to wait, from `Retry-After` (seconds or an HTTP date).

    None when absent, unreadable or not finite (`inf`, `nan`); a date without a zone is GMT,
    as HTTP dates always are.
    """
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        import email.utils  # rare path; the email package is slow to import

        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):  # neither seconds nor a date: fall back to the back-off
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        seconds = parsed.timestamp() - time.time()
    return max(seconds, 0.0) if math.isfinite(seconds) else None


def connection_error(error: httpx.RequestError) -> APIConnectionError:
    """Translate an httpx transport failure, noting whether the request may have been processed."""
    # A connect failure or a pool timeout means nothing left this process; any later failure may
    # come after the service acted on the request.
    refused = isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
    kind = type(error).__name__
    if isinstance(error, httpx.TimeoutException):
        return APITimeoutError(f"request timed out ({kind})", maybe_delivered=not refused)
    return APIConnectionError(f"connection failed ({kind}: {error})", maybe_delivered=not refused)


def maybe_delivered(error: KlingEditError) -> bool:
    """Could the service have acted on the request that ended in `error`?"""
    if isinstance(error, APIConnectionError):
        return error.maybe_delivered
    if not isinstance(error, APIError):
        return False
    status = error.status_code or 0
    # A 2xx answer that cannot be read, or whose envelope `code` is not an integer ("0", null),
    # is no refusal: the service may well have done the work.
    unreadable_success = 200 <= status < 300 and error.code is None
    # A server-error code (5000-5002) under any status: the code decides, as it does the class.
    failed_while_handling = isinstance(error, ServerError) or status >= 500
    return (
        isinstance(error, APIResponseValidationError) or unreadable_success or failed_while_handling
    )


def is_retryable(error: KlingEditError, replay_safe: bool) -> bool:
    if isinstance(error, APIConnectionError):
        return replay_safe or not error.maybe_delivered
    if not isinstance(error, APIError):
        return False
    if error.code in RETRY_CODES or (error.code is None and error.status_code in RETRY_STATUSES):
        return replay_safe or error.code in REFUSED_CODES or error.status_code == 429
    return False


def call(
    operation: Operation[T],
    options: CallOptions,
    policy: RetryPolicy,
    trail: list[KlingEditError] | None = None,
) -> Flow[T]:
    """Send `operation`, retrying what may be retried; `trail` collects every failed attempt.

    All attempts and pauses share the call's deadline (`_budget`): a retry that could not start
    before it is not made, and the last error is raised at once.
    """
    options = started(options)
    for attempt in itertools.count():
        require_time(operation.name, options)
        try:
            response = yield Send(operation, options, attempt)
            return operation.parse(response)
        except httpx.RequestError as transport_error:
            error: KlingEditError = connection_error(transport_error)
            cause: BaseException = transport_error
        except APIError as api_error:
            error = cause = api_error
        wait = None
        if isinstance(error, APIError) and error.response is not None:
            wait = error.retry_after = retry_after(error.response)
        if trail is not None:
            trail.append(error)
        retry = (
            attempt < options.max_retries
            and is_retryable(error, operation.replay_safe)
            and policy.allows(wait)
        )
        pause = policy.delay(attempt, wait) if retry else 0.0
        if retry and not fits(options, pause):
            no_time_for_retry(error, options)
            retry = False
        if not retry:
            if error is cause:
                raise error
            raise error from cause
        yield Sleep(pause)
    raise AssertionError("unreachable")  # itertools.count() never ends
