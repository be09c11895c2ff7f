"""`run --selection-image` fetches the preview's cover image with a size bound."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kling_edit import KlingEdit, ObjectMask, Preview, Selection
from kling_edit.cli import Reporter, Workflow

COVER_URL = "https://cdn.example.com/cover.png?sig=abc"
CHUNK = 2**20


class _Lines(Reporter):
    def __init__(self) -> None:
        self.lines: list[str] = []

    def step(self, message: str) -> None:
        self.lines.append(message)


def _selection() -> Selection:
    return Selection("s", 0, objects=(ObjectMask(1, (2, 3), rle_counts="231"),))


def _draw(tmp_path: Path, respond: httpx.MockTransport) -> tuple[Path, str]:
    reporter = _Lines()
    path = tmp_path / "selection.png"
    with KlingEdit("sk-test", http_client=httpx.Client(transport=respond)) as client:
        Workflow(client, reporter).save_selection(
            _selection(), Preview("s", cover_url=COVER_URL), path
        )
    (line,) = reporter.lines
    return path, line


@pytest.mark.parametrize("announced", [True, False], ids=["content-length", "streamed"])
def test_a_cover_over_32_mb_is_not_read_past_the_bound(tmp_path: Path, announced: bool) -> None:
    sent: list[int] = []

    def body() -> Iterator[bytes]:
        # A PNG signature, then zeros: 48 MB in all, well over the 32 MB bound.
        for index in range(48):
            sent.append(CHUNK)
            yield (b"\x89PNG\r\n\x1a\n" if index == 0 else b"") + bytes(CHUNK - 8 * (index == 0))

    headers = {"content-length": str(48 * CHUNK)} if announced else {}
    transport = httpx.MockTransport(
        lambda request: httpx.Response(200, headers=headers, content=body())
    )
    path, line = _draw(tmp_path, transport)
    assert sum(sent) <= 33 * CHUNK
    assert path.read_bytes().startswith(b"\x89PNG")  # the bare mask instead
    assert "the cover image was not fetched" in line
    assert "max_bytes" in line
    assert "sig=abc" not in line


def test_a_small_png_cover_is_still_overlaid(tmp_path: Path) -> None:
    from kling_edit._masks import encode_png_rgb

    cover = encode_png_rgb(3, 2, bytes(18))
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=cover))
    path, line = _draw(tmp_path, transport)
    assert "overlaid on the cover" in line
    assert path.read_bytes().startswith(b"\x89PNG")
