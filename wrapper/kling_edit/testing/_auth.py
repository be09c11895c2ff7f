"""The simulator's own check of an Authorization header, as Kling's host answers it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from attrs import frozen

from ._rules import ApiError

__all__ = ["AuthCheck", "Authenticator"]


@frozen
class AuthCheck:
    """The outcome for one request: who is calling, or the error to answer with.

    `caller` names the account the request acts for (the API key, or the access key of a JWT, so
    sessions survive the client renewing its token); it is None exactly when `error` is set.
    """

    caller: str | None
    error: ApiError | None = None


def _refused(code: int, message: str) -> AuthCheck:
    return AuthCheck(caller=None, error=ApiError(code, f"authentication failed: {message}"))


class Authenticator:
    """Checks bearer API keys and access-key JWTs independently of the client's own code.

    With no keys configured, any non-empty bearer value passes (the simulator's default).
    """

    def __init__(
        self,
        *,
        api_keys: Iterable[str] = (),
        access_keys: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._api_keys = frozenset(api_keys)
        self._access_keys = dict(access_keys or {})
        self._clock = clock

    def __repr__(self) -> str:
        return (
            f"Authenticator(api_keys=<{len(self._api_keys)} hidden>, "
            f"access_keys=<{len(self._access_keys)} hidden>)"
        )

    def check(self, headers: Mapping[str, str]) -> AuthCheck:
        """Read the Authorization header (any case) of one request."""
        authorization = next(
            (value for name, value in headers.items() if name.lower() == "authorization"), ""
        )
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return _refused(1001, "the Authorization header is empty: send Bearer <token>")
        if not self._api_keys and not self._access_keys:
            return AuthCheck(caller=_unverified_issuer(token) or token)
        if token in self._api_keys:
            return AuthCheck(caller=token)
        if self._access_keys and token.count(".") == 2:
            return self._check_jwt(token)
        return _refused(1002, "the API key or token is not valid")

    def _check_jwt(self, token: str) -> AuthCheck:
        import jwt

        issuer = _unverified_issuer(token)
        secret_key = self._access_keys.get(issuer) if issuer is not None else None
        if issuer is None or secret_key is None:
            return _refused(1002, "the token's access key (iss) is unknown")
        try:
            # Times are checked below against the injectable clock, not PyJWT's.
            claims: dict[str, Any] = jwt.decode(
                token,
                secret_key,
                algorithms=["HS256"],
                options={"verify_exp": False, "verify_nbf": False, "require": ["iss", "exp"]},
            )
        except jwt.PyJWTError:
            return _refused(1002, "the token's signature or claims are not valid")
        now = self._clock()
        not_before, expires = claims.get("nbf"), claims["exp"]
        if not _is_number(expires) or (not_before is not None and not _is_number(not_before)):
            return _refused(1002, "the token's exp or nbf is not a number")
        if not_before is not None and now < not_before:
            return _refused(1003, "the token is not valid yet (nbf is in the future)")
        if now >= expires:
            return _refused(1004, "the token has expired (exp is in the past)")
        return AuthCheck(caller=issuer)


def _unverified_issuer(token: str) -> str | None:
    """The `iss` of a JWT-shaped token, unverified; None for anything else."""
    if token.count(".") != 2:
        return None
    import jwt

    try:
        issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
    except jwt.PyJWTError:
        return None
    return issuer if isinstance(issuer, str) and issuer else None


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
