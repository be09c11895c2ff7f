"""The simulator as Kling's own host (paths, tokens, codes 1001-1004), and its signed callbacks,
delivered twice on request."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pytest
from pytest_httpx import HTTPXMock

from kling_edit import KlingEdit
from kling_edit.testing import FakeClock, Faults, Simulator
from kling_edit.webhooks import verify

AK = "ak-SECRET-access"
SK = "sk-SECRET-signing-key-32-bytes-long"
PROMPT = "Delete the selected object from <<<video_1>>>"
VIDEO = "https://example.com/clip.mp4"
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"SECRET-simulator-webhook-key!!!").decode()


def _ask(sim: Simulator, path: str, authorization: str | None) -> tuple[int, int]:
    headers = {} if authorization is None else {"Authorization": authorization}
    with httpx.Client(transport=sim.transport(), base_url=sim.base_url) as http:
        response = http.get(path, headers=headers)
    return response.status_code, response.json()["code"]


def _token(secret: str = SK, **claims: Any) -> str:
    now = FakeClock().now
    payload = {"iss": AK, "exp": now + 1800, "nbf": now - 5, **claims}
    return "Bearer " + jwt.encode(payload, secret, algorithm="HS256")


@pytest.mark.parametrize(
    ("authorization", "expected"),
    [
        (None, (401, 1001)),
        ("Bearer ", (401, 1001)),
        ("Bearer not-a-key", (401, 1002)),
        (_token(secret="a-wrong-secret-also-32-bytes-long"), (401, 1002)),
        (_token(iss="ak-unknown"), (401, 1002)),
        (_token(nbf=FakeClock().now + 60), (401, 1003)),
        (_token(exp=FakeClock().now - 1), (401, 1004)),
        (_token(), (200, 0)),
    ],
    ids=["missing", "empty", "unknown-key", "bad-signature", "unknown-iss", "nbf", "exp", "ok"],
)
def test_the_kling_simulator_checks_tokens_as_the_service(
    authorization: str | None, expected: tuple[int, int]
) -> None:
    sim = Simulator(provider="kling", access_keys={AK: SK}, clock=FakeClock())
    assert _ask(sim, "/v1/videos/multi-elements", authorization) == expected


def test_each_flavour_serves_its_own_paths() -> None:
    kling, cometapi = Simulator(provider="kling"), Simulator()
    assert _ask(kling, "/v1/videos/multi-elements", "Bearer k") == (200, 0)
    assert _ask(kling, "/kling/v1/videos/multi-elements", "Bearer k")[1] == 1203
    assert _ask(cometapi, "/kling/v1/videos/multi-elements", "Bearer k") == (200, 0)


def test_the_cometapi_simulator_answers_1001_and_1002() -> None:
    sim = Simulator(api_key="sk-right")
    assert _ask(sim, "/kling/v1/videos/multi-elements", None) == (401, 1001)
    assert _ask(sim, "/kling/v1/videos/multi-elements", "Bearer sk-wrong") == (401, 1002)


# ---------------------------------------------------------------------------------------------
# Signed callbacks, delivered twice on request


def _run_to_the_end(sim: Simulator, clock: FakeClock, callback_url: str) -> None:
    with KlingEdit.simulated(sim) as client:
        session = client.sessions.init(video_url=VIDEO)
        client.sessions.add_points(session, frame_index=0, points=[(0.5, 0.5)])
        client.tasks.remove(session, prompt=PROMPT, callback_url=callback_url)
    clock.advance(60)
    sim.tick()


def test_callbacks_are_signed_and_a_duplicate_keeps_its_webhook_id(
    httpx_mock: HTTPXMock,
) -> None:
    url = "https://hooks.test/kling"
    httpx_mock.add_response(url=url, is_reusable=True)
    clock = FakeClock()
    sim = Simulator(
        clock=clock,
        webhook_secret=WEBHOOK_SECRET,
        faults=Faults(rate_duplicate_callback=1.0),
    )

    _run_to_the_end(sim, clock, url)

    deliveries = httpx_mock.get_requests(url=url)
    assert sim.callback_errors == []
    statuses = []
    now = clock.now
    for request in deliveries:
        headers = dict(request.headers)
        task = verify(request.content, headers, WEBHOOK_SECRET, tolerance=10**10)
        statuses.append((headers["webhook-id"], task.status))
        assert abs(int(headers["webhook-timestamp"]) - now) < 10**9
    assert [status for _, status in statuses] == [
        "submitted", "submitted", "processing", "processing", "succeed", "succeed",
    ]  # fmt: skip
    ids = [webhook_id for webhook_id, _ in statuses]
    assert ids[0::2] == ids[1::2]
    assert len(set(ids)) == 3


def test_unsigned_callbacks_carry_no_webhook_headers(httpx_mock: HTTPXMock) -> None:
    url = "https://hooks.test/plain"
    httpx_mock.add_response(url=url, is_reusable=True)
    clock = FakeClock()

    _run_to_the_end(Simulator(clock=clock), clock, url)

    deliveries = httpx_mock.get_requests(url=url)
    assert len(deliveries) == 3
    assert not [name for name in deliveries[0].headers if name.startswith("webhook-")]
    assert json.loads(deliveries[-1].content)["task_status"] == "succeed"


def test_a_webhook_secret_with_a_custom_sender_is_refused() -> None:
    sender: Callable[[str, dict[str, Any]], None] = lambda url, task: None  # noqa: E731
    with pytest.raises(ValueError, match="custom callback_sender"):
        Simulator(webhook_secret=WEBHOOK_SECRET, callback_sender=sender)
