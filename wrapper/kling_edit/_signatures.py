"""Standard Webhooks checks of one callback delivery (the error naming the failed one lives with
the others in `_errors`, so that `import kling_edit` need not load hmac and these checks)."""

from __future__ import annotations

import hmac
import math
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from ._errors import (
    APIResponseValidationError,
    Check,
    RequestValidationError,
    WebhookVerificationError,
)
from ._models import Task

__all__ = ["Check", "Verifier", "WebhookVerificationError", "read_task", "verify"]


class Verifier:
    """The secrets, decoded once, and the checks of one delivery."""

    def __init__(
        self,
        secret: str | Sequence[str],
        tolerance: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        from standardwebhooks.webhooks import EmptyWebhookSecretError, Webhook

        secrets = [secret] if isinstance(secret, str) else _listed(secret)
        if not secrets:
            raise RequestValidationError("secret", "give at least one webhook secret")
        if not (isinstance(tolerance, int | float) and tolerance >= 0 and math.isfinite(tolerance)):
            raise RequestValidationError("tolerance", "must be a finite number of seconds >= 0")
        self._webhooks = []
        for index, value in enumerate(secrets):
            try:
                self._webhooks.append(Webhook(value))
            except (ValueError, RuntimeError, EmptyWebhookSecretError):  # binascii.Error too
                # `from None`: the decoder's message or a traceback must not carry the secret.
                raise RequestValidationError(
                    "secret", f"secret #{index + 1} is not a webhook secret (whsec_<base64>)"
                ) from None
        self._tolerance = tolerance
        self._clock = clock

    def __repr__(self) -> str:
        return f"Verifier(secrets=<{len(self._webhooks)} hidden>, tolerance={self._tolerance})"

    def verify(
        self, body: bytes | bytearray | memoryview | str, headers: Mapping[str, str]
    ) -> Task:
        text = _text(body)
        lowered = _lowered(headers)
        webhook_id, timestamp, signatures = (
            _required(lowered, name)
            for name in ("webhook-id", "webhook-timestamp", "webhook-signature")
        )
        sent_at = self._check_timestamp(timestamp)
        expected = [webhook.sign(webhook_id, sent_at, text) for webhook in self._webhooks]
        if not _any_matches(expected, signatures.split()):
            raise WebhookVerificationError(
                "no_matching_signature",
                "no signature in webhook-signature matches the webhook secret"
                + ("s" if len(expected) > 1 else ""),
            )
        return read_task(text)

    def _check_timestamp(self, value: str) -> datetime:
        if not (value.isascii() and value.isdigit()):
            raise WebhookVerificationError(
                "bad_timestamp", "webhook-timestamp is not a whole number of seconds"
            )
        # Longer values (which would overflow a float, or the int parser's digit limit) and
        # times past what a datetime holds are simply far from now.
        sent_at = int(value) if len(value) <= 12 else None
        age = (
            self._clock() - sent_at
            if sent_at is not None and sent_at <= _LAST_DATETIME_SECOND
            else -math.inf
        )
        if abs(age) > self._tolerance:
            when = (
                f"{age:.0f} s old"
                if age > 0
                else f"{-age:.0f} s in the future"
                if math.isfinite(age)
                else "far in the future"
            )
            raise WebhookVerificationError(
                "timestamp_out_of_range",
                f"webhook-timestamp is {when}, beyond the tolerance of {self._tolerance:g} s",
            )
        return datetime.fromtimestamp(int(value), UTC)


# 9999-12-31T23:59:59Z, the last second a datetime can hold.
_LAST_DATETIME_SECOND = 253_402_300_799


def _listed(secrets: object) -> list[str]:
    """The rotation's secrets, or RequestValidationError (a caller's mistake, not a TypeError)."""
    if isinstance(secrets, Sequence) and not isinstance(secrets, bytes):
        listed = list(secrets)
        if all(isinstance(value, str) for value in listed):
            return listed
    raise RequestValidationError("secret", "give the webhook secret as a string or a list of them")


def _text(body: object) -> str:
    """The raw body as text: frameworks hand it over as bytes, a buffer or already decoded."""
    if isinstance(body, str):
        return body
    if not isinstance(body, bytes | bytearray | memoryview):
        raise RequestValidationError(
            "body", f"must be the request's raw body (bytes or str), not {type(body).__name__}"
        )
    try:
        return bytes(body).decode()
    except UnicodeDecodeError:
        raise WebhookVerificationError("bad_body", "the body is not UTF-8 text") from None


def _lowered(headers: object) -> dict[str, str]:
    """The headers by lower-case name; raw ASGI bytes are read as Latin-1, as HTTP does."""
    if not isinstance(headers, Mapping):
        raise RequestValidationError("headers", "must be a mapping of header names to values")
    lowered = {}
    for name, value in headers.items():
        name, value = (
            item.decode("latin-1") if isinstance(item, bytes) else item for item in (name, value)
        )
        if isinstance(name, str) and isinstance(value, str):
            lowered[name.lower()] = value
        elif isinstance(name, str) and name.lower().startswith("webhook-"):
            raise WebhookVerificationError("missing_header", f"the {name} header is not text")
    return lowered


def _required(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name, "").strip()
    if not value:
        raise WebhookVerificationError("missing_header", f"the {name} header is missing or empty")
    return value


def _any_matches(expected: Sequence[str], sent: Sequence[str]) -> bool:
    # Every pair is compared (no early exit) in constant time; entries that are not
    # "v1,<base64>" simply match nothing, as another version would.
    matched = False
    for signature in sent:
        for candidate in expected:
            matched |= hmac.compare_digest(signature.encode(), candidate.encode())
    return matched


def read_task(text: str | bytes) -> Task:
    """A callback body (either format) as a Task, or WebhookVerificationError("bad_body")."""
    # Imported here: the package's __init__ imports this module's public names.
    from . import parse_callback

    try:
        return parse_callback(text)
    except APIResponseValidationError as error:
        raise WebhookVerificationError("bad_body", f"the body is not a task: {error}") from None


def verify(
    body: bytes | bytearray | memoryview | str,
    headers: Mapping[str, str],
    secret: str | Sequence[str],
    *,
    tolerance: float = 300,
) -> Task:
    """Check a callback delivery's Standard Webhooks signature, then read its body as a Task.

    `body` is the request's raw body (bytes, or the same text as a str); `headers` are the
    request's headers (any case); `secret` is the account's webhook secret
    (`whsec_...`), or several during a rotation: a delivery passes if any of its signatures
    matches any secret. The `webhook-timestamp` must be within `tolerance` seconds of now.
    Raises `WebhookVerificationError` naming the check that failed.
    """
    return Verifier(secret, tolerance).verify(body, headers)
