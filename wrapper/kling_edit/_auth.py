"""Credentials for the Authorization header (a bearer API key, or Kling's access-key JWTs) and
`CredentialsAuth`, the httpx auth flow that sends them and renews a token the service refused."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Protocol

import httpx

from ._errors import RequestValidationError

__all__ = [
    "AccessKeyCredentials",
    "ApiKeyCredentials",
    "Credentials",
    "CredentialsAuth",
    "check_key",
]

# Kling's documented token: valid from 5 s ago (clock skew) for 30 minutes.
_TOKEN_LIFETIME = 1800
_NOT_BEFORE_SKEW = 5
# A token with less than this left is replaced before it is sent, so a request that is slow to
# arrive (or retried) never carries a token that expires on the way.
_RENEW_MARGIN = 300


class Credentials(Protocol):
    """What the client asks of its credentials."""

    def authorization(self) -> str:
        """The value of the Authorization header for the next request."""
        ...

    def invalidate(self) -> None:
        """Forget any cached token (the service said 1003/1004): the next one is made afresh."""
        ...


def check_key(variable: str, value: str) -> str:
    """`value` if it can go in a header; else an error naming `variable`, never the value."""
    if not value:
        raise RequestValidationError(variable, "is empty")
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        raise RequestValidationError(
            variable, "contains a control character (a newline, a tab, ...): copy the key again"
        )
    return value


class ApiKeyCredentials:
    """A bearer API key (CometAPI's key, or Kling's "API Key, for all models")."""

    def __init__(self, api_key: str, *, variable: str = "api_key") -> None:
        self._header = f"Bearer {check_key(variable, api_key)}"

    def authorization(self) -> str:
        return self._header

    def invalidate(self) -> None:
        """A fixed key has nothing to renew."""

    def __repr__(self) -> str:
        return "ApiKeyCredentials(api_key=<hidden>)"


class AccessKeyCredentials:
    """Kling's access key + secret key: a short-lived HS256 JWT, cached and renewed early."""

    def __init__(
        self,
        access_key: str,
        secret_key: str,
        *,
        clock: Callable[[], float] = time.time,
        access_key_variable: str = "access_key",
        secret_key_variable: str = "secret_key",
    ) -> None:
        self._access_key = check_key(access_key_variable, access_key)
        self._secret_key = check_key(secret_key_variable, secret_key)
        self._clock = clock
        self._token: str | None = None
        self._expires_at = 0.0
        # Sync and async clients share one instance across threads.
        self._lock = threading.Lock()

    def authorization(self) -> str:
        with self._lock:
            now = self._clock()
            if self._token is None or self._expires_at - now < _RENEW_MARGIN:
                self._token, self._expires_at = self._encode(int(now))
            return f"Bearer {self._token}"

    def invalidate(self) -> None:
        with self._lock:
            self._token = None

    def _encode(self, now: int) -> tuple[str, float]:
        import jwt  # PyJWT loads only for accounts that use access keys.

        expires_at = now + _TOKEN_LIFETIME
        claims = {"iss": self._access_key, "exp": expires_at, "nbf": now - _NOT_BEFORE_SKEW}
        token = jwt.encode(
            claims, self._secret_key, algorithm="HS256", headers={"alg": "HS256", "typ": "JWT"}
        )
        return token, expires_at

    def __repr__(self) -> str:
        return "AccessKeyCredentials(access_key=<hidden>, secret_key=<hidden>)"


# Kling's answers for a token outside its validity window: not yet valid (nbf), expired (exp).
_STALE_TOKEN_CODES = frozenset({1003, 1004})


def _refuses_token(response: httpx.Response) -> bool:
    """Whether a read 401 answer says the token's time window is wrong (a fresh one may pass)."""
    try:
        code = json.loads(response.content).get("code")
    # Not JSON, not an object, or nested past the parser's depth: no token verdict (the
    # answer's own parser reports what is wrong with it).
    except (ValueError, AttributeError, RecursionError):
        return False
    return code in _STALE_TOKEN_CODES


class CredentialsAuth(httpx.Auth):
    """Sets each API request's Authorization header from `credentials` at send time, and, when
    the service answers 401 with code 1003 or 1004, forgets the token and sends the request once
    more if that gives a different one (a clock that jumped, a token cached across a suspend; a
    fixed API key has nothing fresher to offer, so its refusal stands).

    Only 401 answers are read here, so other answers keep streaming to the caller.
    """

    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials

    def __repr__(self) -> str:
        return f"CredentialsAuth({self.credentials!r})"

    def _signed(self, request: httpx.Request) -> httpx.Request:
        request.headers["Authorization"] = self.credentials.authorization()
        return request

    def _renewed(self, request: httpx.Request) -> httpx.Request | None:
        """`request` with a fresh token, or None when renewing changes nothing."""
        refused = request.headers["Authorization"]
        self.credentials.invalidate()
        fresh = self._signed(request)
        return fresh if fresh.headers["Authorization"] != refused else None

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        response = yield self._signed(request)
        if response.status_code == 401:
            response.read()
            renewed = self._renewed(request) if _refuses_token(response) else None
            if renewed is not None:
                yield renewed

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        response = yield self._signed(request)
        if response.status_code == 401:
            await response.aread()
            renewed = self._renewed(request) if _refuses_token(response) else None
            if renewed is not None:
                yield renewed
