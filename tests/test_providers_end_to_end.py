"""Kling's own host end to end, over real sockets on 127.0.0.1: access keys against the
loopback simulator, signed callbacks into the receiver under uvicorn, and the acceptance run
against `kling-edit simulate --provider kling` in a subprocess."""

from __future__ import annotations

import base64
import collections
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_webhooks_receiver import Recorder, serve

from kling_edit import AuthenticationError, KlingEdit, Task
from kling_edit.testing import Faults, Simulator, running_server
from kling_edit.webhooks import asgi_app

AK = "ak-SECRET-end-to-end"
SK = "sk-SECRET-end-to-end-32-bytes-long!"
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"SECRET-end-to-end-webhook-key!!").decode()
VIDEO = "https://example.com/clip.mp4"
PROMPT = "Delete the selected object from <<<video_1>>>"


class DeliveryCounter:
    """ASGI middleware: counts the POSTs each webhook-id reached the receiver with."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.posts: collections.Counter[str] = collections.Counter()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            headers = {name.decode(): value.decode() for name, value in scope["headers"]}
            self.posts[headers.get("webhook-id", "")] += 1
        await self.app(scope, receive, send)


def _edit(client: KlingEdit, tmp_path: Path, callback_url: str | None = None) -> Task:
    session = client.sessions.init(video_url=VIDEO)
    client.sessions.add_points(session, frame_index=0, points=[(0.5, 0.5)])
    task = client.tasks.remove(session, prompt=PROMPT, callback_url=callback_url)
    finished = client.tasks.wait(task, timeout=30)
    saved = client.tasks.download(finished, tmp_path)
    assert saved.read_bytes()[4:8] == b"ftyp"
    return finished


def test_every_status_change_arrives_verified_and_once(tmp_path: Path) -> None:
    recorder = Recorder()
    counter = DeliveryCounter(asgi_app(recorder, secret=WEBHOOK_SECRET))
    simulator = Simulator(
        provider="kling",
        access_keys={AK: SK},
        webhook_secret=WEBHOOK_SECRET,
        faults=Faults(rate_duplicate_callback=1.0),
        submit_seconds=0.1,
        job_seconds=0.3,
    )
    with serve(counter) as callback_url, running_server(simulator) as base_url:
        client = KlingEdit(provider="kling", access_key=AK, secret_key=SK, base_url=base_url)
        with client:
            finished = _edit(client, tmp_path, callback_url)
        seen = [recorder.next() for _ in range(3)]
        recorder.assert_nothing_more()

    assert [task.status for task in seen] == ["submitted", "processing", "succeed"]
    assert {task.task_id for task in seen} == {finished.task_id}
    assert seen[-1].video_url == finished.video_url
    # Each was delivered twice under one webhook-id; on_task saw it once.
    assert sorted(counter.posts.values()) == [2, 2, 2]
    assert "" not in counter.posts
    assert simulator.callback_errors == []


@pytest.fixture
def simulate_kling() -> Iterator[str]:
    """`kling-edit simulate --provider kling` with access keys, in a subprocess; its URL."""
    command = [
        sys.executable, "-c", "from kling_edit.cli import main; main()",
        "simulate", "--provider", "kling", "--access-key", AK, "--secret-key", SK,
        "--port", "0", "--submit-seconds", "0.1", "--job-seconds", "0.3", "--json",
    ]  # fmt: skip
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        ready = json.loads(process.stdout.readline())
        assert ready["provider"] == "kling"
        yield ready["base_url"]
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=10)
        assert SK not in errors


def test_access_keys_run_the_workflow_against_simulate_in_a_subprocess(
    simulate_kling: str, tmp_path: Path
) -> None:
    with KlingEdit(provider="kling", access_key=AK, secret_key=SK, base_url=simulate_kling) as c:
        finished = _edit(c, tmp_path)
        assert finished.status == "succeed"
        assert [task.task_id for task in c.tasks.list()] == [finished.task_id]
    wrong = "a-wrong-secret-key-of-32-bytes-long"
    refused = KlingEdit(provider="kling", access_key=AK, secret_key=wrong, base_url=simulate_kling)
    with refused, pytest.raises(AuthenticationError) as caught:
        refused.tasks.list()
    assert caught.value.code == 1002
