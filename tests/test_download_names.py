"""A result is saved under a name the answer cannot steer out of the destination folder.

The file name comes from the task id the service sent; an id such as "../escaped" or
"/tmp/x" wrote outside the folder given (`dest / name` honours both). And the result URL of a
task must be http(s), like a URL given directly.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from kling_edit import AsyncKlingEdit, DownloadError, KlingEdit


def _service(task_id: str, video_url: str = "https://files.test/v.mp4") -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.host == "files.test":
            return httpx.Response(200, content=b"video")
        task = {
            "task_id": task_id,
            "task_status": "succeed",
            "created_at": 1_700_000_000_000,
            "updated_at": 1_700_000_000_000,
            "task_result": {"videos": [{"id": "v", "url": video_url, "duration": "5"}]},
        }
        return httpx.Response(200, json={"code": 0, "message": "SUCCEED", "data": task})

    return httpx.MockTransport(handle)


ANSWERS = {
    "parent-folder": _service("../escaped"),
    "absolute-path": _service("/tmp/kling-edit-escaped"),
    "file-url": _service("123", "file:///etc/passwd"),
}


@pytest.mark.parametrize("transport", ANSWERS.values(), ids=ANSWERS.keys())
def test_sync(tmp_path: Path, transport: httpx.MockTransport) -> None:
    folder = tmp_path / "out"
    http = httpx.Client(transport=transport)
    with KlingEdit("key", http_client=http) as client, pytest.raises(DownloadError):
        client.tasks.download("123", f"{folder}/")
    assert sorted(p.name for p in tmp_path.rglob("*")) in ([], ["out"])


@pytest.mark.parametrize("transport", ANSWERS.values(), ids=ANSWERS.keys())
def test_async(tmp_path: Path, transport: httpx.MockTransport) -> None:
    folder = tmp_path / "out"

    async def download() -> None:
        http = httpx.AsyncClient(transport=transport)
        async with AsyncKlingEdit("key", http_client=http) as client:
            await client.tasks.download("123", f"{folder}/")

    with pytest.raises(DownloadError):
        asyncio.run(download())
    assert sorted(p.name for p in tmp_path.rglob("*")) in ([], ["out"])


def test_a_plain_numeric_id_still_names_the_file(tmp_path: Path) -> None:
    http = httpx.Client(transport=_service("8675309"))
    with KlingEdit("key", http_client=http) as client:
        assert client.tasks.download("123", f"{tmp_path}/").name == "8675309.mp4"
