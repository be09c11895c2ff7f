"""Deadlines are wall-clock against a real server that trickles its answer one byte every 0.3 s
(httpx's own timeouts bound each read, so each byte would restart them): `tasks.wait(timeout=1)`
and `tasks.get(timeout=2)` end on time, sync and async, on a fast and on the default schedule."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from kling_edit import APITimeoutError, KlingEditError, PollSchedule, Task, WaitTimeoutError
from proof_helpers import client_class, close, invoke

BYTE_EVERY = 0.3
# Scheduling noise on a loaded two-core machine, far below a trickle's minutes.
SLACK = 0.3
TASK = {
    "code": 0,
    "message": "SUCCEED",
    "request_id": "req-trickle",
    "data": {"task_id": "task-1", "task_status": "processing", "created_at": 1, "updated_at": 1},
}


class TricklingServer:
    """Answers every request with a running task, one byte every 0.3 s from `trickle`: the
    first byte of the headers, the body (headers at once), or nowhere (the control)."""

    def __init__(self, trickle: str) -> None:
        body = json.dumps(TASK).encode()
        head = (
            f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\n\r\n"
        ).encode()
        at = {"headers": 0, "body": len(head), "nowhere": len(head + body)}[trickle]
        self._answer = ((head + body)[:at], (head + body)[at:])
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._stop = threading.Event()
        self.base_url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        with connection:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = connection.recv(65536)
                if not chunk:
                    return
                request += chunk
            at_once, trickled = self._answer
            try:
                connection.sendall(at_once)
                for byte in trickled:
                    if self._stop.wait(BYTE_EVERY):
                        return
                    connection.sendall(bytes([byte]))
            except OSError:  # the client hung up: what a deadline should make it do
                return

    def close(self) -> None:
        self._stop.set()
        self._listener.close()


@pytest.fixture(params=["headers", "body"])
def trickling(request: pytest.FixtureRequest) -> Iterator[TricklingServer]:
    server = TricklingServer(request.param)
    yield server
    server.close()


async def timed(
    kind: str, base_url: str, method: str, http_client: Any = None, **kwargs: object
) -> tuple[object, float]:
    client = client_class(kind)(
        api_key="sk-test", base_url=base_url, max_retries=0, http_client=http_client
    )
    started = time.monotonic()
    try:
        outcome: object = await invoke(client, method, "task-1", **kwargs)
    except KlingEditError as error:
        outcome = error
    finally:
        elapsed = time.monotonic() - started
        await close(client)
    return outcome, elapsed


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize(
    "poll",
    [PollSchedule(first=0.05, factor=2, maximum=0.2), None],
    ids=["fast-schedule", "default-schedule"],
)
async def test_wait_ends_at_its_deadline_against_a_trickle(
    kind: str, poll: PollSchedule | None, trickling: TricklingServer
) -> None:
    outcome, elapsed = await timed(kind, trickling.base_url, "tasks.wait", timeout=1.0, poll=poll)
    assert isinstance(outcome, WaitTimeoutError), outcome
    assert 1.0 <= elapsed <= 1.0 + 0.5, f"{elapsed:.2f} s"


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_get_ends_at_its_timeout_against_a_trickle(
    kind: str, trickling: TricklingServer
) -> None:
    outcome, elapsed = await timed(kind, trickling.base_url, "tasks.get", timeout=2.0)
    assert isinstance(outcome, APITimeoutError), outcome
    assert elapsed <= 2.0 + SLACK, f"{elapsed:.2f} s"


async def test_an_injected_http_client_keeps_the_deadline_too(
    trickling: TricklingServer,
) -> None:
    with httpx.Client() as http:
        outcome, elapsed = await timed(
            "sync", trickling.base_url, "tasks.get", http_client=http, timeout=2.0
        )
        assert isinstance(outcome, APITimeoutError), outcome
        assert elapsed <= 2.0 + SLACK, f"{elapsed:.2f} s"


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_an_answer_within_the_deadline_still_arrives(kind: str) -> None:
    # The control: the same server answering at once gets through the deadline machinery.
    server = TricklingServer("nowhere")
    try:
        outcome, _ = await timed(kind, server.base_url, "tasks.get", timeout=2.0)
    finally:
        server.close()
    assert isinstance(outcome, Task), outcome
    assert outcome.status == "processing"
