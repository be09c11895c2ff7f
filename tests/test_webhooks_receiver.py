"""webhooks.asgi_app under a real uvicorn server on 127.0.0.1, fed signed deliveries by httpx."""

from __future__ import annotations

import base64
import json
import logging
import queue
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import uvicorn

from kling_edit import RequestValidationError, Task
from kling_edit.testing._signing import sign_callback
from kling_edit.webhooks import MemorySeenIds, asgi_app

SECRET = "whsec_" + base64.b64encode(b"SECRET-receiver-key-for-tests!!").decode()
WRONG_SECRET = "whsec_" + base64.b64encode(b"not-the-receiver-key-at-all!!!!").decode()


def task_body(status: str = "processing", task_id: str = "t-1") -> bytes:
    return json.dumps({"task_id": task_id, "task_status": status}).encode()


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Run `app` under uvicorn on a free loopback port, in a thread; yield its URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped before it started"
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/callbacks"
    finally:
        server.should_exit = True
        thread.join(10)


class Recorder:
    """An on_task that records the tasks it is given, for the test thread to wait on."""

    def __init__(self) -> None:
        self.tasks: queue.Queue[Task] = queue.Queue()

    def __call__(self, task: Task) -> None:
        self.tasks.put(task)

    def next(self) -> Task:
        return self.tasks.get(timeout=5)

    def assert_nothing_more(self) -> None:
        time.sleep(0.1)  # on_task runs after the 200: give a wrong extra call time to show
        assert self.tasks.empty()


@pytest.fixture
def receiver() -> Iterator[tuple[str, Recorder]]:
    recorder = Recorder()
    with serve(asgi_app(recorder, secret=SECRET, max_body_bytes=4096)) as url:
        yield url, recorder


# One client for the module: a new one per request would load the CA bundle each time.
HTTP = httpx.Client(timeout=5)


@pytest.fixture(scope="module", autouse=True)
def _close_the_client() -> Iterator[None]:
    yield
    HTTP.close()


def post(url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return HTTP.post(url, content=body, headers=headers)


def test_each_delivery_reaches_on_task_once_and_a_repeat_is_acknowledged(
    receiver: tuple[str, Recorder],
) -> None:
    url, recorder = receiver
    first = sign_callback(task_body("processing"), SECRET, webhook_id="msg_1")
    assert post(url, task_body("processing"), first).status_code == 200
    second = sign_callback(task_body("succeed"), SECRET, webhook_id="msg_2")
    assert post(url, task_body("succeed"), second).status_code == 200
    assert [recorder.next().status, recorder.next().status] == ["processing", "succeed"]
    # Kling delivering msg_2 again (a retry, re-signed with a new timestamp): 200, no new call.
    again = sign_callback(task_body("succeed"), SECRET, webhook_id="msg_2")
    answer = post(url, task_body("succeed"), again)
    assert answer.status_code == 200
    assert answer.json() == {"message": "already received"}
    recorder.assert_nothing_more()


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"webhook-id": "m", "webhook-timestamp": "x", "webhook-signature": "v1,AA=="}, 401),
        ({"webhook-id": "m", "webhook-timestamp": "1", "webhook-signature": "garbage"}, 401),
    ],
)
def test_bad_headers_get_401(
    receiver: tuple[str, Recorder], headers: dict[str, str], status: int
) -> None:
    url, recorder = receiver
    assert post(url, task_body(), headers).status_code == status
    recorder.assert_nothing_more()


def test_a_wrong_secret_or_a_changed_body_gets_401(receiver: tuple[str, Recorder]) -> None:
    url, recorder = receiver
    wrong = sign_callback(task_body(), WRONG_SECRET, webhook_id="msg_w")
    answer = post(url, task_body(), wrong)
    assert answer.status_code == 401
    assert "no signature" in answer.json()["message"]
    signed = sign_callback(task_body(), SECRET, webhook_id="msg_c")
    assert post(url, task_body("failed"), signed).status_code == 401
    # A refused delivery does not use up its id: the genuine one still goes through.
    assert post(url, task_body(), signed).status_code == 200
    assert recorder.next().task_id == "t-1"


def test_a_signed_body_that_is_no_task_gets_400(receiver: tuple[str, Recorder]) -> None:
    url, recorder = receiver
    for body in (b"not json", b'{"foo": 1}', b"[]"):
        assert post(url, body, sign_callback(body, SECRET)).status_code == 400
    recorder.assert_nothing_more()


def test_other_methods_get_405(receiver: tuple[str, Recorder]) -> None:
    url, _ = receiver
    for method in ("GET", "PUT", "DELETE"):
        answer = HTTP.request(method, url)
        assert answer.status_code == 405
        assert answer.headers["allow"] == "POST"


def test_a_body_over_the_limit_gets_413(receiver: tuple[str, Recorder]) -> None:
    url, recorder = receiver
    body = json.dumps({"task_id": "t", "task_status": "x", "pad": "x" * 5000}).encode()
    assert post(url, body, sign_callback(body, SECRET)).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds on what arrives
        yield body[:3000]
        yield body[3000:]

    answer = HTTP.post(url, content=chunks(), headers=sign_callback(body, SECRET))
    assert answer.status_code == 413
    recorder.assert_nothing_more()


def test_an_on_task_error_is_logged_not_answered(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[str] = []

    def failing(task: Task) -> None:
        calls.append(task.status)
        raise RuntimeError("the user's handler broke")

    with (
        caplog.at_level(logging.ERROR, logger="kling_edit.webhooks"),
        serve(asgi_app(failing, secret=SECRET)) as url,
    ):
        for index, status in enumerate(("processing", "succeed")):
            body = task_body(status)
            answer = post(url, body, sign_callback(body, SECRET, webhook_id=f"m{index}"))
            assert answer.status_code == 200
        deadline = time.monotonic() + 5
        while len(caplog.records) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    assert calls == ["processing", "succeed"]
    assert [record.exc_info[0] for record in caplog.records if record.exc_info] == [
        RuntimeError,
        RuntimeError,
    ]


def test_a_coroutine_on_task_is_awaited_and_unsigned_bodies_pass_without_a_secret() -> None:
    received: queue.Queue[Task] = queue.Queue()

    async def on_task(task: Task) -> None:
        received.put(task)

    with serve(asgi_app(on_task)) as url:
        body = b'{"id": "t-9", "status": "succeeded", "outputs": []}'
        assert post(url, body, {}).status_code == 200
        assert post(url, b"{", {}).status_code == 400
        task = received.get(timeout=5)
    assert (task.task_id, task.status) == ("t-9", "succeed")
    assert received.empty()


def test_the_store_of_seen_ids_is_pluggable() -> None:
    class Shared:
        def __init__(self) -> None:
            self.ids: list[str] = ["msg_old"]

        def add(self, webhook_id: str) -> bool:
            is_new = webhook_id not in self.ids
            self.ids.append(webhook_id)
            return is_new

    recorder, store = Recorder(), Shared()
    with serve(asgi_app(recorder, secret=SECRET, seen_ids=store)) as url:
        for webhook_id in ("msg_old", "msg_new"):
            body = task_body(task_id=webhook_id)
            assert post(url, body, sign_callback(body, SECRET, webhook_id=webhook_id)).is_success
        assert recorder.next().task_id == "msg_new"
        recorder.assert_nothing_more()
    assert store.ids == ["msg_old", "msg_old", "msg_new"]


def test_memory_seen_ids_forgets_the_least_recently_seen_beyond_its_bound() -> None:
    seen = MemorySeenIds(maxsize=2)
    assert [seen.add(name) for name in ("a", "b", "a", "c")] == [True, True, False, True]
    # "b" was the least recently seen when "c" came: it is forgotten, "a" is not.
    assert (seen.add("a"), seen.add("b")) == (False, True)


def test_bad_settings_are_refused_when_the_app_is_made() -> None:
    with pytest.raises(RequestValidationError, match="max_body_bytes"):
        asgi_app(print, max_body_bytes=0)
    with pytest.raises(RequestValidationError, match="secret #1"):
        asgi_app(print, secret="whsec_SECRET-webhook-key-x")  # 17 base64 characters
    with pytest.raises(RequestValidationError, match="maxsize"):
        MemorySeenIds(maxsize=0)
