"""Downloads and the client's life cycle: task ids and folders as targets, redirects, short
bodies, unwritable folders, a closed client, an AsyncKlingEdit over two `asyncio.run()`s."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from kling_edit import AsyncKlingEdit, DownloadError, KlingEdit, KlingEditError, Task
from kling_edit.cli._app import cli
from kling_edit.cli._clients import LOCAL_KEY
from kling_edit.testing import Simulator, running_server
from proof_helpers import close, invoke, over

VIDEO = b"\x00\x00\x00\x18ftypmp42" + b"v" * 100
RESULT_URL = "https://cdn.test/results/task-1.mp4?sig=secret"
TASK = {
    "code": 0,
    "message": "SUCCEED",
    "request_id": "req-1",
    "data": {
        "task_id": "task-1",
        "task_status": "succeed",
        "created_at": 1,
        "updated_at": 1,
        "task_result": {"videos": [{"id": "v1", "url": RESULT_URL, "duration": "5"}]},
    },
}

Handler = Callable[[httpx.Request], httpx.Response]


def serving(video: httpx.Response | None = None, hops: int = 0) -> tuple[Handler, list[str]]:
    """The get route answers TASK; the result URL answers `video` after `hops` redirects."""
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.host == "kling.test":
            return httpx.Response(200, json=TASK)
        hop = int(request.url.params.get("hop", "0"))
        if hop < hops:
            return httpx.Response(302, headers={"location": f"{RESULT_URL}&hop={hop + 1}"})
        return video if video is not None else httpx.Response(200, content=VIDEO)

    return handle, seen


async def download(kind: str, handler: Handler, task: Task | str, dest: Path | str) -> Any:
    client = over(kind, handler)
    try:
        return await invoke(client, "tasks.download", task, str(dest))
    finally:
        await close(client)


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_a_task_id_is_fetched_then_downloaded(kind: str, tmp_path: Path) -> None:
    handler, seen = serving()
    path = await download(kind, handler, "task-1", tmp_path)
    assert path == tmp_path / "task-1.mp4"
    assert path.read_bytes() == VIDEO
    assert seen[0].endswith("/task-1")  # the task first, then its result


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_a_path_ending_in_a_separator_is_a_folder_made_for_the_result(
    kind: str, tmp_path: Path
) -> None:
    handler, _ = serving()
    path = await download(kind, handler, "task-1", f"{tmp_path}/new/deeper/")
    assert path == tmp_path / "new" / "deeper" / "task-1.mp4"
    assert path.read_bytes() == VIDEO


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_redirects_are_followed_up_to_five(kind: str, tmp_path: Path) -> None:
    handler, seen = serving(hops=5)
    path = await download(kind, handler, RESULT_URL, tmp_path / "out.mp4")
    assert path.read_bytes() == VIDEO
    assert len(seen) == 6

    handler, seen = serving(hops=6)
    with pytest.raises(DownloadError, match="redirected more than 5 times"):
        await download(kind, handler, RESULT_URL, tmp_path / "loop.mp4")
    assert not (tmp_path / "loop.mp4").exists()


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_a_body_shorter_than_its_content_length_is_refused(kind: str, tmp_path: Path) -> None:
    short = httpx.Response(200, headers={"content-length": "500"}, content=VIDEO)
    handler, _ = serving(short)
    with pytest.raises(DownloadError, match=f"after {len(VIDEO)} of 500 bytes"):
        await download(kind, handler, RESULT_URL, tmp_path / "out.mp4")
    assert os.listdir(tmp_path) == []  # neither the file nor its partial temporary


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_a_folder_that_cannot_be_made_is_a_download_error(kind: str, tmp_path: Path) -> None:
    # Tests run as root, whom permissions do not stop: a folder under a regular file cannot be
    # made by anyone.
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    handler, seen = serving()
    with pytest.raises(DownloadError, match="cannot write the download"):
        await download(kind, handler, RESULT_URL, f"{blocker}/results/")
    assert seen == []  # refused before fetching anything


@pytest.mark.skipif(sys.platform != "linux", reason="/proc refuses new files on Linux only")
@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_a_folder_the_process_cannot_write_is_a_download_error(kind: str) -> None:
    # /proc/self is a folder no one (root included) can create a file in.
    handler, _ = serving()
    with pytest.raises(DownloadError, match="cannot write the download"):
        await download(kind, handler, RESULT_URL, "/proc/self/")


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize(
    ("method", "args"),
    [("tasks.get", ("task-1",)), ("tasks.download", (RESULT_URL, "."))],
)
async def test_a_closed_client_says_so(kind: str, method: str, args: tuple[str, ...]) -> None:
    handler, seen = serving()
    client = over(kind, handler)
    await close(client)
    with pytest.raises(KlingEditError, match=f"this {type(client).__name__} is closed"):
        await invoke(client, method, *args)
    assert seen == []


def test_an_async_client_serves_two_asyncio_runs() -> None:
    # Over a real socket: pooled connections belong to the loop that opened them.
    with running_server(Simulator(callback_sender=lambda url, task: None)) as base_url:
        client = AsyncKlingEdit(api_key="sk-test", base_url=base_url, max_retries=0)
        assert asyncio.run(client.tasks.list()) == []
        assert asyncio.run(client.tasks.list()) == []
        asyncio.run(client.close())


def test_an_injected_http_client_on_a_second_loop_is_explained() -> None:
    with running_server(Simulator(callback_sender=lambda url, task: None)) as base_url:
        http = httpx.AsyncClient()
        client = AsyncKlingEdit(api_key="sk-test", base_url=base_url, http_client=http)
        assert asyncio.run(client.tasks.list()) == []
        with pytest.raises(KlingEditError, match="make the client, or pass a new http_client"):
            asyncio.run(client.tasks.list())


def test_cli_out_with_a_trailing_separator_is_a_folder(tmp_path: Path) -> None:
    with running_server(Simulator(submit_seconds=0.0, job_seconds=0.0)) as base_url:
        with KlingEdit(LOCAL_KEY, base_url=base_url) as client:
            session = client.sessions.init(video_url="https://example.com/clip.mp4")
            client.sessions.add_points(session, frame_index=0, points=[(0.125, 0.5)])
            task = client.tasks.remove(session, prompt="Remove <<<video_1>>>'s object")
        out = f"{tmp_path}/results/"
        args = ["--json", "download", task.task_id, "--out", out, "--base-url", base_url]
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    path = Path(json.loads(result.stdout)["path"])
    assert path == tmp_path / "results" / f"{task.task_id}.mp4"
    assert path.read_bytes()[4:8] == b"ftyp"
