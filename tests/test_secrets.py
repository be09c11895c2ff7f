"""The API key never shows: not in reprs, logs, error messages or formatted tracebacks."""

from __future__ import annotations

import copy
import logging
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from kling_edit import KlingEditError, PollSchedule, Task, TaskVideo
from wrapper_helpers import (
    API,
    INIT_URL,
    KEY,
    PROMPT,
    RESULT_URL,
    SESSION_ID,
    TASK_ID,
    Api,
    VirtualClock,
    envelope,
    error_body,
    task_data,
)

assert "SECRET" in KEY  # the fixtures' key is the recognisable one these tests look for

TASK_URL = f"{API}/{TASK_ID}"


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    for name in ("kling_edit", "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def _everything_said(error: BaseException, logs: pytest.LogCaptureFixture) -> str:
    return "\n".join(
        [
            str(error),
            repr(error),
            repr(vars(error)),
            "".join(traceback.format_exception(error)),
            logs.text,
            *(repr(record.args) for record in logs.records),
        ]
    )


def _fail(*answers: Callable[[HTTPXMock], None]) -> Callable[[HTTPXMock], None]:
    def register(mock: HTTPXMock) -> None:
        for answer in answers:
            answer(mock)

    return register


def _status(url: str, status: int, code: int | None = None, **match: Any) -> Any:
    body = error_body(code) if code is not None else None
    return lambda mock: mock.add_response(url=url, status_code=status, json=body, **match)


def _exception(url: str, cls: type[httpx.TransportError], **match: Any) -> Any:
    return lambda mock: mock.add_exception(cls("simulated failure"), url=url, **match)


Scenario = tuple[Callable[[HTTPXMock], None], Callable[[Api, Path], Awaitable[Any]]]

SCENARIOS: dict[str, Scenario] = {
    "authentication": (
        _fail(_status(TASK_URL, 401, 1001)),
        lambda api, _: api("tasks.get", TASK_ID),
    ),
    "retries-exhausted": (
        _fail(*[_status(TASK_URL, 503, 5001)] * 3),
        lambda api, _: api("tasks.get", TASK_ID),
    ),
    "read-timeouts": (
        _fail(*[_exception(TASK_URL, httpx.ReadTimeout)] * 3),
        lambda api, _: api("tasks.get", TASK_ID),
    ),
    "connect-errors": (
        _fail(*[_exception(INIT_URL, httpx.ConnectError)] * 3),
        lambda api, _: api("sessions.init", video_url="https://videos.test/a.mp4"),
    ),
    "validation": (
        _fail(),
        lambda api, _: api("tasks.remove", SESSION_ID, prompt=PROMPT, duration=7),
    ),
    "create-lookup-failed": (
        _fail(
            _exception(API, httpx.ReadTimeout, method="POST"),
            _status(f"{API}/order-1", 401, 1004),
        ),
        lambda api, _: api("tasks.remove", SESSION_ID, prompt=PROMPT, external_task_id="order-1"),
    ),
    "unreadable-answer": (
        _fail(lambda mock: mock.add_response(url=TASK_URL, json=envelope({"x": 1}))),
        lambda api, _: api("tasks.get", TASK_ID),
    ),
    "wait-timeout": (
        _fail(
            lambda mock: mock.add_response(
                url=TASK_URL, json=envelope(task_data(status="processing")), is_reusable=True
            )
        ),
        lambda api, _: api(
            "tasks.wait", TASK_ID, timeout=1.0, poll=PollSchedule(first=0.5, factor=1.0)
        ),
    ),
    "download-expired": (
        _fail(_status(RESULT_URL, 404)),
        lambda api, folder: api(
            "tasks.download",
            Task(task_id=TASK_ID, status="succeed", videos=(TaskVideo(url=RESULT_URL),)),
            folder,
        ),
    ),
}


@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=SCENARIOS.keys())
async def test_the_key_appears_in_no_error_and_no_log(
    api: Api,
    httpx_mock: HTTPXMock,
    clock: VirtualClock,
    logs: pytest.LogCaptureFixture,
    tmp_path: Path,
    scenario: Scenario,
) -> None:
    register, run = scenario
    register(httpx_mock)

    with pytest.raises(KlingEditError) as caught:
        await run(api, tmp_path)

    assert KEY not in _everything_said(caught.value, logs)
    # The key did go out, to the API only: these tests look where it could leak.
    for request in httpx_mock.get_requests():
        expected = None if request.url.host == "cdn.kling.test" else f"Bearer {KEY}"
        assert request.headers.get("Authorization") == expected


async def test_debug_logs_describe_each_attempt_without_secrets(
    api: Api, httpx_mock: HTTPXMock, clock: VirtualClock, logs: pytest.LogCaptureFixture
) -> None:
    httpx_mock.add_response(url=TASK_URL, status_code=503)
    httpx_mock.add_response(
        url=TASK_URL, json=envelope(task_data()), headers={"X-Request-Id": "r9"}
    )

    await api("tasks.get", TASK_ID)

    lines = [r.getMessage() for r in logs.records if r.name == "kling_edit"]
    assert len(lines) == 2
    assert lines[0].startswith(f"GET /kling/v1/videos/multi-elements/{TASK_ID} -> 503")
    assert "attempt=2" in lines[1]
    assert "request_id=r9" in lines[1]
    assert KEY not in logs.text


def test_the_client_never_shows_its_key(api: Api) -> None:
    client = api.client
    shown = [
        repr(client),
        str(client),
        repr(vars(client)),
        repr(client.with_options(max_retries=0)),
        repr(copy.copy(client)),
        repr(client._auth),
        str(client._auth),
        f"{client._auth.credentials}",
    ]

    assert not [text for text in shown if KEY in text]


# ---------------------------------------------------------------------------------------------
# Both providers, over a real socket (so httpcore logs too), access-key tokens included

ACCESS_KEY = "ak-SECRET-access-key"
SECRET_KEY = "sk-SECRET-signing-key-32-bytes-long"
PROVIDER_CREDENTIALS = {
    "cometapi-api-key": ("cometapi", {"api_key": KEY}),
    "kling-api-key": ("kling", {"api_key": KEY}),
    "kling-access-keys": ("kling", {"access_key": ACCESS_KEY, "secret_key": SECRET_KEY}),
}


@pytest.mark.parametrize(
    ("provider", "credentials"), PROVIDER_CREDENTIALS.values(), ids=PROVIDER_CREDENTIALS.keys()
)
def test_no_provider_shows_its_keys_or_tokens(
    logs: pytest.LogCaptureFixture, provider: Any, credentials: dict[str, Any]
) -> None:
    from kling_edit import KlingEdit
    from kling_edit.testing import Simulator, running_server

    # The simulator knows other keys, so every request is refused (401) after going out.
    simulator = Simulator(provider=provider, api_keys=["other"], access_keys={"ak-other": "x"})
    with running_server(simulator) as base_url:
        client = KlingEdit(provider=provider, base_url=base_url, **credentials)
        token = client._auth.credentials.authorization().removeprefix("Bearer ")
        with client, pytest.raises(KlingEditError) as caught:
            client.sessions.init(video_url="https://videos.test/a.mp4")

    said = "\n".join(
        [
            _everything_said(caught.value, logs),
            repr(client),
            repr(vars(client)),
            repr(client._auth),
            repr(client.with_options(max_retries=0)),
        ]
    )
    assert caught.value.status_code == 401
    assert any(record.name.startswith("httpcore") for record in logs.records)
    for secret in (KEY, SECRET_KEY, token):
        assert secret not in said
