"""Both providers in the client: hosts, paths, credentials (API keys and access-key JWTs, from
arguments or the environment), control characters refused, and a refused token renewed once."""

from __future__ import annotations

from typing import Any

import httpx
import jwt
import pytest

from kling_edit import (
    AsyncKlingEdit,
    AuthenticationError,
    KlingEdit,
    KlingEditError,
    RequestValidationError,
)
from kling_edit._auth import AccessKeyCredentials, CredentialsAuth
from kling_edit.testing import FakeClock, Simulator
from wrapper_helpers import VirtualClock

AK = "ak-SECRET-access"
SK = "sk-SECRET-signing-key-32-bytes-long"
PROMPT = "Delete the selected object from <<<video_1>>>"
VIDEO = "https://example.com/clip.mp4"

ClientClass = type[KlingEdit] | type[AsyncKlingEdit]


@pytest.fixture
def client_class(kind: str) -> ClientClass:
    return KlingEdit if kind == "sync" else AsyncKlingEdit


async def _call(result: Any) -> Any:
    return await result if hasattr(result, "__await__") else result


def _recording(requests: list[httpx.Request]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        task = {"task_id": "t-1", "task_status": "submitted", "task_info": {}}
        return httpx.Response(200, json={"code": 0, "message": "ok", "data": task})

    return httpx.MockTransport(answer)


def _http(kind: str, transport: httpx.MockTransport) -> httpx.Client | httpx.AsyncClient:
    return (
        httpx.Client(transport=transport)
        if kind == "sync"
        else httpx.AsyncClient(transport=transport)
    )


# ---------------------------------------------------------------------------------------------
# Hosts and paths


@pytest.mark.parametrize(
    ("provider", "url"),
    [
        ("cometapi", "https://api.cometapi.com/kling/v1/videos/multi-elements/t-1"),
        ("kling", "https://api-singapore.klingai.com/v1/videos/multi-elements/t-1"),
    ],
)
async def test_each_provider_has_its_host_and_path_layout(
    kind: str, client_class: ClientClass, provider: Any, url: str
) -> None:
    requests: list[httpx.Request] = []
    http = _http(kind, _recording(requests))
    client = client_class(api_key="sk-key", provider=provider, http_client=http)  # type: ignore[arg-type]

    await _call(client.tasks.get("t-1"))

    assert str(requests[0].url) == url
    assert requests[0].headers["Authorization"] == "Bearer sk-key"


async def test_base_url_changes_the_host_and_keeps_the_provider_layout(
    kind: str, client_class: ClientClass, monkeypatch: pytest.MonkeyPatch
) -> None:
    requests: list[httpx.Request] = []
    http = _http(kind, _recording(requests))
    monkeypatch.setenv("KLING_BASE_URL", "https://from-env.test")
    given = client_class(
        "k",
        provider="kling",
        base_url="https://proxy.test/",
        http_client=http,  # type: ignore[arg-type]
    )
    from_env = client_class("k", provider="kling", http_client=http)  # type: ignore[arg-type]

    await _call(given.tasks.get("t-1"))
    await _call(from_env.tasks.get("t-2"))

    assert str(requests[0].url) == "https://proxy.test/v1/videos/multi-elements/t-1"
    assert requests[1].url.host == "from-env.test"
    assert requests[1].url.path == "/v1/videos/multi-elements/t-2"


def test_an_unknown_provider_is_refused_by_name(client_class: ClientClass) -> None:
    with pytest.raises(RequestValidationError, match="provider: must be 'cometapi' or 'kling'"):
        client_class("k", provider="kling-cn")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Credentials


def test_without_credentials_the_error_names_every_provider_variable(
    client_class: ClientClass,
) -> None:
    for provider in ("cometapi", "kling"):
        with pytest.raises(KlingEditError) as caught:
            client_class(provider=provider)
        message = str(caught.value)
        for name in ("COMETAPI_KEY", "KLING_API_KEY", "KLING_ACCESS_KEY", "KLING_SECRET_KEY"):
            assert name in message
        assert "KlingEdit.simulated()" in message


def test_kling_reads_its_variables(
    client_class: ClientClass, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KLING_ACCESS_KEY", AK)
    monkeypatch.setenv("KLING_SECRET_KEY", SK)
    client = client_class(provider="kling")

    token = client._auth.credentials.authorization().removeprefix("Bearer ")
    claims = jwt.decode(token, SK, algorithms=["HS256"])
    assert claims["iss"] == AK
    assert claims["exp"] - claims["nbf"] == 1800 + 5
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}

    monkeypatch.setenv("KLING_API_KEY", "kling-api-key")
    assert client_class(provider="kling")._auth.credentials.authorization() == (
        "Bearer kling-api-key"
    )
    # An argument wins over the environment.
    assert client_class("given", provider="kling")._auth.credentials.authorization() == (
        "Bearer given"
    )


def test_an_access_key_needs_its_secret_key(
    client_class: ClientClass, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(RequestValidationError, match=r"^secret_key: is missing"):
        client_class(provider="kling", access_key=AK)
    monkeypatch.setenv("KLING_SECRET_KEY", SK)
    assert client_class(provider="kling", access_key=AK)._auth.credentials.authorization()
    with pytest.raises(RequestValidationError, match="api_key or access_key and secret_key"):
        client_class("k", provider="kling", access_key=AK, secret_key=SK)
    with pytest.raises(RequestValidationError, match="takes api_key only"):
        client_class(access_key=AK, secret_key=SK)


CONTROL_CHARACTERS = ["\n", "\r", "\t", "\x00", "\x1b", "\x7f"]


@pytest.mark.parametrize("char", CONTROL_CHARACTERS, ids=repr)
@pytest.mark.parametrize(
    ("provider", "argument", "variable"),
    [
        ("cometapi", "api_key", "COMETAPI_KEY"),
        ("kling", "api_key", "KLING_API_KEY"),
        ("kling", "access_key", "KLING_ACCESS_KEY"),
        ("kling", "secret_key", "KLING_SECRET_KEY"),
    ],
)
def test_a_key_with_a_control_character_is_refused_naming_the_variable(
    client_class: ClientClass,
    monkeypatch: pytest.MonkeyPatch,
    char: str,
    provider: Any,
    argument: str,
    variable: str,
) -> None:
    bad = f"SECRET-part{char}other-part"
    pair: dict[str, Any] = {"access_key": AK, "secret_key": SK} if argument != "api_key" else {}

    with pytest.raises(RequestValidationError) as as_argument:
        client_class(provider=provider, **{**pair, argument: bad})
    refusals = [(as_argument, argument)]
    if char != "\x00":  # the environment cannot hold a NUL
        for name in pair:
            monkeypatch.setenv(f"KLING_{name.upper()}", pair[name])
        monkeypatch.setenv(variable, bad)
        with pytest.raises(RequestValidationError) as from_env:
            client_class(provider=provider)
        refusals.append((from_env, variable))

    for caught, name in refusals:
        assert caught.value.field == name
        assert "control character" in str(caught.value)
        said = str(caught.value) + repr(caught.value) + repr(vars(caught.value))
        assert "SECRET-part" not in said


# ---------------------------------------------------------------------------------------------
# Access keys against the simulator (it checks the JWTs independently)


@pytest.fixture
def kling_sim() -> Simulator:
    return Simulator(provider="kling", access_keys={AK: SK}, submit_seconds=0, job_seconds=0)


async def test_access_keys_run_the_workflow_on_kling_paths(
    kind: str, client_class: ClientClass, kling_sim: Simulator, clock: VirtualClock
) -> None:
    client = client_class.simulated(kling_sim, access_key=AK, secret_key=SK)
    assert client.provider == "kling"

    session = await _call(client.sessions.init(video_url=VIDEO))
    await _call(client.sessions.add_points(session, frame_index=0, points=[(0.5, 0.5)]))
    task = await _call(client.tasks.remove(session, prompt=PROMPT))
    finished = await _call(client.tasks.wait(task))

    assert finished.status == "succeed"
    assert kling_sim.tasks[0].api_key == AK  # scoped by access key: renewals keep the tasks
    await _call(client.close())


async def test_wrong_access_keys_get_1002(client_class: ClientClass, kling_sim: Simulator) -> None:
    client = client_class.simulated(
        kling_sim, access_key=AK, secret_key="not-the-secret-but-32-bytes-long!!"
    )
    with pytest.raises(AuthenticationError) as caught:
        await _call(client.tasks.list())
    assert (caught.value.status_code, caught.value.code) == (401, 1002)


async def test_a_refused_token_is_renewed_once(
    client_class: ClientClass, clock: VirtualClock
) -> None:
    # The service's clock runs 850 s ahead: a token made 1000 s ago (still 800 s to go by the
    # client's clock, so the cache keeps it) has expired there.
    made_at = 1_800_000_000.0
    client_now = [made_at]
    server = FakeClock(made_at + 1000 + 850)
    sim = Simulator(provider="kling", access_keys={AK: SK}, clock=server)
    client = client_class.simulated(sim, access_key=AK, secret_key=SK)
    credentials = AccessKeyCredentials(AK, SK, clock=lambda: client_now[0])
    client._auth.credentials = credentials
    credentials.authorization()  # cached at made_at
    client_now[0] += 1000

    tasks = await _call(client.tasks.list())

    assert tasks == []
    assert sim.requests["list"] == 2  # refused with 1004, then sent once with a fresh token

    server.advance(10_000)  # now every token the client can make has expired there
    client_now[0] += 1000  # and a renewal does make a different token
    with pytest.raises(AuthenticationError) as caught:
        await _call(client.tasks.list())
    assert caught.value.code == 1004
    assert sim.requests["list"] == 4  # one renewal per request, not a loop


@pytest.mark.parametrize("code", [1003, 1004])
async def test_both_token_window_codes_get_a_fresh_token(
    kind: str, client_class: ClientClass, code: int
) -> None:
    sent: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request.headers["Authorization"])
        if len(sent) == 1:
            return httpx.Response(401, json={"code": code, "message": "token window"})
        return httpx.Response(200, json={"code": 0, "message": "ok", "data": []})

    http = _http(kind, httpx.MockTransport(answer))
    client = client_class(provider="kling", access_key=AK, secret_key=SK, http_client=http)  # type: ignore[arg-type]
    ticks = iter(range(1_800_000_000, 1_900_000_000, 1000))
    client._auth.credentials = AccessKeyCredentials(AK, SK, clock=lambda: next(ticks))

    assert await _call(client.tasks.list()) == []
    assert len(sent) == 2
    assert sent[0] != sent[1]


@pytest.mark.parametrize(
    "body",
    [b"[" * 200_000, b"not json", b"[1004]", b'{"code": "1004"}'],
    ids=["deep", "not-json", "list", "string-code"],
)
def test_an_odd_401_body_is_no_reason_to_renew(body: bytes) -> None:
    # The auth flow alone: what the answer's own parser makes of these is not its business.
    auth = CredentialsAuth(AccessKeyCredentials(AK, SK))
    flow = auth.sync_auth_flow(httpx.Request("GET", "https://api.test/v1/videos"))
    request = next(flow)
    with pytest.raises(StopIteration):
        flow.send(httpx.Response(401, content=body, request=request))


async def test_an_api_key_refused_is_not_sent_again(client_class: ClientClass) -> None:
    sim = Simulator(provider="kling", api_keys=["right-key"])
    client = client_class.simulated(sim, api_key="wrong-key")
    with pytest.raises(AuthenticationError) as caught:
        await _call(client.tasks.list())
    assert caught.value.code == 1002
    assert sim.requests["list"] == 1


def test_simulated_kling_needs_no_key(client_class: ClientClass) -> None:
    client = client_class.simulated(provider="kling")
    assert client.provider == "kling"
    assert client._auth.credentials.authorization().startswith("Bearer ")
    with pytest.raises(RequestValidationError, match="provider: is 'cometapi' but"):
        client_class.simulated(Simulator(provider="kling"), provider="cometapi")
