"""`kling-edit listen`: the click command run in a child process, fed signed deliveries."""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from click.testing import CliRunner

from kling_edit.cli._listen import listen
from kling_edit.testing._signing import sign_callback

SECRET = "whsec_" + base64.b64encode(b"SECRET-listen-key-for-the-tests!").decode()
RUN_LISTEN = (
    "import sys; from kling_edit.cli._listen import listen; "
    "listen.main(sys.argv[1:], prog_name='kling-edit listen')"
)


@pytest.fixture
def listening(request: pytest.FixtureRequest) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`listen --port 0 ARGS` with the secret in KLING_WEBHOOK_SECRET; yields it and its URL."""
    args: list[str] = request.param
    env = {**os.environ, "KLING_WEBHOOK_SECRET": SECRET}
    process = subprocess.Popen(
        [sys.executable, "-c", RUN_LISTEN, "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stderr is not None
        banner = process.stderr.readline()
        found = re.search(r"listening on (http://127\.0\.0\.1:\d+)", banner)
        assert found, banner
        yield process, found.group(1)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        process.wait(10)


def deliver(url: str, body: bytes, webhook_id: str) -> int:
    headers = sign_callback(body, SECRET, webhook_id=webhook_id)
    return httpx.post(url, content=body, headers=headers, timeout=5).status_code


def stop(process: subprocess.Popen[str]) -> tuple[str, str]:
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=10)
    assert process.returncode == 0, stderr
    return stdout, stderr


@pytest.mark.parametrize("listening", [["--json"]], indirect=True)
def test_listen_prints_each_verified_update_once_as_json(
    listening: tuple[subprocess.Popen[str], str],
) -> None:
    process, url = listening
    processing = b'{"task_id": "t-1", "task_status": "processing"}'
    succeeded = b'{"id": "t-1", "status": "succeeded", "outputs": [{"type": "video", "url": "https://x/v.mp4"}]}'
    assert deliver(url, processing, "msg_1") == 200
    assert deliver(url, succeeded, "msg_2") == 200
    assert deliver(url, succeeded, "msg_2") == 200  # Kling's retry of the same delivery
    forged = httpx.post(url, content=processing, headers={"webhook-id": "x"}, timeout=5)
    assert forged.status_code == 401
    assert process.stdout is not None
    first, second = process.stdout.readline(), process.stdout.readline()
    stdout, stderr = stop(process)
    updates = [json.loads(line) for line in (first, second, *stdout.splitlines())]
    assert [(task["task_id"], task["status"]) for task in updates] == [
        ("t-1", "processing"),
        ("t-1", "succeed"),
    ]
    assert updates[1]["videos"][0]["url"] == "https://x/v.mp4"
    assert "stopped listening" in stderr
    for shown in (first, second, stdout, stderr):
        assert SECRET not in shown
        assert SECRET.removeprefix("whsec_") not in shown


@pytest.mark.parametrize("listening", [[]], indirect=True)
def test_listen_prints_a_line_per_update_for_people(
    listening: tuple[subprocess.Popen[str], str],
) -> None:
    process, url = listening
    body = b'{"task_id": "t-2", "task_status": "failed", "task_status_msg": "policy"}'
    assert deliver(url, body, "msg_3") == 200
    assert process.stdout is not None
    line = process.stdout.readline()
    stop(process)
    assert line.strip() == "task t-2: failed (policy)"


def test_a_bad_secret_is_a_usage_error_that_does_not_show_it() -> None:
    bad = "whsec_SECRET-listen-key-xy"  # 17 base64 characters: no valid padding exists
    result = CliRunner().invoke(listen, ["--port", "0", "--secret", bad])
    assert result.exit_code == 2
    assert "secret #1" in result.output
    assert "SECRET-listen-key-xy" not in result.output
