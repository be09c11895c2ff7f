"""Per-call figures: `tasks.get()` in process, 20 creates over loopback; nothing else lives here.

`tasks.get()` and the raw GET share one `httpx.Client` on one `httpx.MockTransport` (no server
noise); the creates go to the simulator in a child process, every side reusing its connection.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import requests
from bench_canned import (
    BASE_URL,
    CONTENT_TYPE,
    CREATE_PATH,
    KEY,
    PROMPT,
    TASK_BODY,
    TASK_ID,
    TASK_PATH,
)
from bench_timing import Figure, compare, interleaved, simulator_process

from kling_edit import KlingEdit, Session


def bench_get(calls: int, rounds: int) -> dict[str, Figure]:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=TASK_BODY, headers=CONTENT_TYPE)

    with httpx.Client(transport=httpx.MockTransport(answer)) as http:
        client = KlingEdit(api_key=KEY, base_url=BASE_URL, http_client=http)
        headers = {"Authorization": f"Bearer {KEY}"}
        url = BASE_URL + TASK_PATH
        parsed = httpx.URL(url)

        def wrapper() -> None:
            for _ in range(calls):
                client.tasks.get(TASK_ID)

        def raw() -> None:
            for _ in range(calls):
                http.get(url, headers=headers).json()

        def raw_parsed() -> None:
            for _ in range(calls):
                http.get(parsed, headers=headers).json()

        samples = interleaved(
            {"kling_edit": wrapper, "httpx": raw, "httpx_parsed_url": raw_parsed},
            rounds=rounds,
            clock=time.process_time,
        )

    def figure(side: str, baseline: str, target: float | None) -> Figure:
        return compare(
            samples,
            side,
            baseline=baseline,
            target=target,
            unit="us",
            scale=1e6 / calls,
            calls=calls * rounds,
        )

    return {
        "get": figure(
            "httpx",
            "raw httpx.Client GET + json() (same client, same MockTransport, same body; CPU time)",
            1.15,
        ),
        # The wrapper reuses parsed URLs (httpx parses a str URL on every request, ~15% of
        # this GET): against code that does the same, what is left is the wrapper's own work.
        "get_own_work": figure(
            "httpx_parsed_url",
            "raw httpx.Client GET of a parsed httpx.URL + json() (as above)",
            None,
        ),
    }


def _ready_session(client: KlingEdit) -> Session:
    session = client.sessions.init(video_url="https://example.com/clip.mp4")
    client.sessions.add_points(session, frame_index=0, points=[(0.5, 0.4)])
    return session


def _body_sent(http: httpx.Client, create: Callable[[], object]) -> dict[str, Any]:
    """The JSON body the wrapper sends for one create, read off the wire by an event hook."""
    sent: list[httpx.Request] = []
    http.event_hooks = {"request": [sent.append]}
    create()
    http.event_hooks = {}
    [request] = [request for request in sent if request.method == "POST"]
    body: dict[str, Any] = json.loads(request.content)
    return body


def bench_creates(count: int, rounds: int) -> dict[str, Figure]:
    with (
        simulator_process(submit_seconds=0.0, job_seconds=0.0) as base_url,
        httpx.Client() as http,
        KlingEdit(api_key=KEY, base_url=base_url, http_client=http) as client,
        httpx.Client() as raw_httpx,
        requests.Session() as raw_requests,
    ):
        session = _ready_session(client)

        def create() -> object:
            return client.tasks.remove(session, prompt=PROMPT, duration="5")

        # The baselines send what the wrapper sends, each create with a fresh external id.
        body = _body_sent(http, create)
        url = base_url + CREATE_PATH
        headers = {"Authorization": f"Bearer {KEY}"}

        def wrapper() -> None:
            for _ in range(count):
                create()

        def baseline(post: Callable[..., Any]) -> Callable[[], None]:
            def send() -> None:
                for _ in range(count):
                    sent = {**body, "external_task_id": f"kling-edit-{uuid.uuid4()}"}
                    answer = post(url, json=sent, headers=headers).json()
                    assert answer["code"] == 0, answer

            return send

        samples = interleaved(
            {
                "kling_edit": wrapper,
                "httpx": baseline(raw_httpx.post),
                "requests": baseline(raw_requests.post),
            },
            rounds=rounds,
        )
    return {
        f"creates_vs_{side}": compare(
            samples,
            side,
            baseline=f"{count} creates with {kind}, same bodies, connection reused",
            target=1.05,
            unit="ms",
            scale=1e3,
            body_keys=sorted(body),
            rounds=rounds,
        )
        for side, kind in (("httpx", "a raw httpx.Client"), ("requests", "a requests.Session"))
    }
