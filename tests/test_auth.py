"""Credentials: bearer API keys, Kling's access-key JWTs, and the simulator's own check of them."""

from __future__ import annotations

import subprocess
import sys
import traceback
from typing import Any

import jwt
import pytest

from kling_edit import RequestValidationError
from kling_edit._auth import AccessKeyCredentials, ApiKeyCredentials
from kling_edit.testing._auth import Authenticator

ACCESS_KEY = "AK-SECRET-access-key"
SECRET_KEY = "SK-SECRET-secret-key-with-32-bytes!"
OTHER_SECRET_KEY = "not-the-secret-key-but-as-long-as-one"
NOW = 1_800_000_000


class Clock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def token_of(authorization: str) -> str:
    scheme, _, token = authorization.partition(" ")
    assert scheme == "Bearer"
    return token


def claims(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(
        token, SECRET_KEY, algorithms=["HS256"], options={"verify_exp": False, "verify_nbf": False}
    )
    return decoded


def test_an_api_key_is_sent_as_a_bearer() -> None:
    assert ApiKeyCredentials("k-123").authorization() == "Bearer k-123"


def test_the_access_key_jwt_is_exactly_as_kling_documents() -> None:
    token = token_of(AccessKeyCredentials(ACCESS_KEY, SECRET_KEY, clock=Clock()).authorization())
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
    assert claims(token) == {"iss": ACCESS_KEY, "exp": NOW + 1800, "nbf": NOW - 5}


def test_the_token_is_reused_then_renewed_when_under_five_minutes_are_left() -> None:
    clock = Clock()
    credentials = AccessKeyCredentials(ACCESS_KEY, SECRET_KEY, clock=clock)
    first = credentials.authorization()
    clock.now = NOW + 1800 - 301
    assert credentials.authorization() == first
    clock.now = NOW + 1800 - 299
    renewed = credentials.authorization()
    assert renewed != first
    assert claims(token_of(renewed))["exp"] == NOW + 1800 - 299 + 1800


def test_invalidate_makes_the_next_token_afresh() -> None:
    clock = Clock()
    credentials = AccessKeyCredentials(ACCESS_KEY, SECRET_KEY, clock=clock)
    first = credentials.authorization()
    clock.now += 1
    credentials.invalidate()
    assert claims(token_of(credentials.authorization()))["nbf"] == NOW + 1 - 5
    assert credentials.authorization() != first


@pytest.mark.parametrize("bad", ["key\n", "ke\ry", "\tkey", "key\x00", "key\x7f", ""])
def test_keys_with_control_characters_are_refused_naming_the_variable(bad: str) -> None:
    for make, variable in (
        (lambda: ApiKeyCredentials(bad, variable="KLING_API_KEY"), "KLING_API_KEY"),
        (
            lambda: AccessKeyCredentials(ACCESS_KEY, bad, secret_key_variable="KLING_SECRET_KEY"),
            "KLING_SECRET_KEY",
        ),
        (
            lambda: AccessKeyCredentials(bad, SECRET_KEY, access_key_variable="KLING_ACCESS_KEY"),
            "KLING_ACCESS_KEY",
        ),
    ):
        with pytest.raises(RequestValidationError, match=variable) as caught:
            make()
        assert caught.value.field == variable
        if bad.strip():
            assert bad not in str(caught.value)
            assert repr(bad)[1:-1] not in str(caught.value)  # nor its escaped form


def test_no_repr_shows_a_key_secret_or_token() -> None:
    credentials = AccessKeyCredentials(ACCESS_KEY, SECRET_KEY, clock=Clock())
    token = token_of(credentials.authorization())
    api_key = ApiKeyCredentials("k-SECRET-api-key")
    shown = repr(credentials) + str(credentials) + repr(api_key) + str(api_key)
    for secret in (ACCESS_KEY, SECRET_KEY, token, "k-SECRET-api-key"):
        assert secret not in shown
    authenticator = Authenticator(
        api_keys=["k-SECRET-api-key"], access_keys={ACCESS_KEY: SECRET_KEY}
    )
    assert "SECRET" not in repr(authenticator)


def test_pyjwt_loads_only_when_access_keys_are_used() -> None:
    code = (
        "import sys\n"
        "from kling_edit._auth import AccessKeyCredentials, ApiKeyCredentials\n"
        "ApiKeyCredentials('k').authorization()\n"
        "print('jwt' in sys.modules)\n"
        "AccessKeyCredentials('a', 's').authorization()\n"
        "print('jwt' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.split() == ["False", "True"]


# -- the simulator's check ------------------------------------------------------------------


def kling_token(
    *, iss: str = ACCESS_KEY, key: str = SECRET_KEY, exp: float = NOW + 1800, nbf: float = NOW - 5
) -> dict[str, str]:
    token = jwt.encode({"iss": iss, "exp": exp, "nbf": nbf}, key, algorithm="HS256")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def service() -> Authenticator:
    return Authenticator(api_keys=["k-good"], access_keys={ACCESS_KEY: SECRET_KEY}, clock=Clock())


def refusal(service: Authenticator, headers: dict[str, str]) -> tuple[int, int]:
    check = service.check(headers)
    assert check.caller is None
    assert check.error is not None
    return check.error.http_status, check.error.code


def test_the_clients_own_token_passes_as_its_access_key(service: Authenticator) -> None:
    credentials = AccessKeyCredentials(ACCESS_KEY, SECRET_KEY, clock=Clock())
    check = service.check({"authorization": credentials.authorization()})
    assert (check.caller, check.error) == (ACCESS_KEY, None)


def test_a_known_api_key_passes(service: Authenticator) -> None:
    assert service.check({"Authorization": "Bearer k-good"}).caller == "k-good"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": ""}, {"Authorization": "Bearer "}, {"Authorization": "Basic x"}],
)
def test_a_missing_header_is_1001(service: Authenticator, headers: dict[str, str]) -> None:
    assert refusal(service, headers) == (401, 1001)


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer k-unknown"},
        kling_token(key=OTHER_SECRET_KEY),
        kling_token(iss="AK-unknown"),
        {"Authorization": "Bearer a.b.c"},
        {"Authorization": "Bearer " + jwt.encode({"iss": ACCESS_KEY}, SECRET_KEY)},  # no exp
    ],
)
def test_an_unknown_key_or_a_bad_signature_is_1002(
    service: Authenticator, headers: dict[str, str]
) -> None:
    assert refusal(service, headers) == (401, 1002)


def test_a_token_not_yet_valid_is_1003(service: Authenticator) -> None:
    assert refusal(service, kling_token(nbf=NOW + 1)) == (401, 1003)
    assert service.check(kling_token(nbf=NOW)).caller == ACCESS_KEY


def test_an_expired_token_is_1004(service: Authenticator) -> None:
    assert refusal(service, kling_token(exp=NOW)) == (401, 1004)
    assert refusal(service, kling_token(exp=NOW - 1)) == (401, 1004)
    assert service.check(kling_token(exp=NOW + 1)).caller == ACCESS_KEY


def test_with_no_keys_configured_any_bearer_passes() -> None:
    open_door = Authenticator()
    assert open_door.check({"Authorization": "Bearer anything"}).caller == "anything"
    # A JWT acts for its access key, so sessions survive the client renewing its token.
    assert open_door.check(kling_token(key=OTHER_SECRET_KEY)).caller == ACCESS_KEY
    assert open_door.check({}).error is not None


def test_refusals_never_echo_the_token(service: Authenticator) -> None:
    headers = kling_token(key=OTHER_SECRET_KEY)
    error = service.check(headers).error
    assert error is not None
    shown = str(error) + repr(error) + "".join(traceback.format_exception(error))
    assert headers["Authorization"].removeprefix("Bearer ") not in shown
    assert SECRET_KEY not in shown
