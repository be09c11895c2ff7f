"""A result answer's odd Content-Length: ignored when it is no number, DownloadError when no file
can be that large; never a ValueError.

`str.isdigit()` takes "²" (which `int()` refuses) and `int()` refuses 4300 digits or more: both
escaped `tasks.download` as a ValueError before.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from kling_edit import AsyncKlingEdit, DownloadError, KlingEdit

URL = "https://files.test/result.mp4"
BODY = b"\x00" * 10


def _answer(content_length: bytes) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=[(b"content-length", content_length)], content=BODY)

    return httpx.MockTransport(handle)


# The outcome each Content-Length must have: None, the body is saved (the header is no number,
# as when it is absent); else the download fails with DownloadError and writes nothing.
LENGTHS: dict[str, tuple[bytes, type[Exception] | None]] = {
    "superscript-two": ("\N{SUPERSCRIPT TWO}".encode("latin-1"), None),
    "letters": (b"ten", None),
    "5000-digits": (b"9" * 5000, DownloadError),
    "19-digits": (b"1" + b"0" * 18, DownloadError),
}


@pytest.mark.parametrize(("content_length", "error"), LENGTHS.values(), ids=LENGTHS.keys())
def test_sync(tmp_path: Path, content_length: bytes, error: type[Exception] | None) -> None:
    http = httpx.Client(transport=_answer(content_length))
    with KlingEdit("key", http_client=http) as client:
        if error is None:
            assert client.tasks.download(URL, tmp_path / "out.mp4").read_bytes() == BODY
            return
        with pytest.raises(error):
            client.tasks.download(URL, tmp_path / "out.mp4")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("content_length", "error"), LENGTHS.values(), ids=LENGTHS.keys())
def test_async(tmp_path: Path, content_length: bytes, error: type[Exception] | None) -> None:
    async def download() -> Path:
        http = httpx.AsyncClient(transport=_answer(content_length))
        async with AsyncKlingEdit("key", http_client=http) as client:
            return await client.tasks.download(URL, tmp_path / "out.mp4")

    if error is None:
        assert asyncio.run(download()).read_bytes() == BODY
        return
    with pytest.raises(error):
        asyncio.run(download())
    assert list(tmp_path.iterdir()) == []
