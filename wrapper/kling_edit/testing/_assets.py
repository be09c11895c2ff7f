"""The sample media shipped inside the package (made by ``scripts/make_sample_media.py``)."""

from __future__ import annotations

import functools
import struct
from collections.abc import Iterator
from pathlib import Path

ASSETS_DIR = Path(__file__).parent / "assets"
#: A playable H.264 MP4: 1280x720, 30 fps, 5.0 s, an orange ball rolling across a gradient (in
#: frame 0 it sits at the relative point x=0.125, y=0.5). The simulator serves it as every video.
SAMPLE_VIDEO = ASSETS_DIR / "sample.mp4"
#: Frame 0 of :data:`SAMPLE_VIDEO` as a PNG (the preview cover).
SAMPLE_COVER = ASSETS_DIR / "cover.png"
#: A 512x512 PNG of a simple object, a valid ``image_list`` reference for addition and swap.
SAMPLE_IMAGE = ASSETS_DIR / "object.png"

CHUNK_SIZE = 1 << 20
_FREE_BOX_HEADER = 8
_FREE_BOX_LARGE_HEADER = 16


@functools.cache
def asset_bytes(path: Path) -> bytes:
    """The content of a shipped asset, read once."""
    return path.read_bytes()


def check_padded_size(size: int) -> None:
    """Raise ValueError when :func:`padded_video` cannot reach ``size`` bytes exactly."""
    shortfall = size - len(asset_bytes(SAMPLE_VIDEO))
    if shortfall != 0 and shortfall < _FREE_BOX_HEADER:
        raise ValueError(
            f"result_size_bytes must equal the sample size or exceed it by at least "
            f"{_FREE_BOX_HEADER} bytes (an MP4 'free' box header), got {size}"
        )


def padded_video(size: int | None) -> tuple[int, Iterator[bytes]]:
    """The sample MP4 grown to ``size`` bytes by a trailing MP4 ``free`` box, in chunks.

    Players skip ``free`` boxes, so the file stays playable; the zero padding is produced as it
    is sent, so a 200 MB result costs no memory. ``None`` means the sample as it is.
    """
    video = asset_bytes(SAMPLE_VIDEO)
    total = len(video) if size is None else size
    return total, _chunks(video, total - len(video))


def _chunks(video: bytes, padding: int) -> Iterator[bytes]:
    for start in range(0, len(video), CHUNK_SIZE):
        yield video[start : start + CHUNK_SIZE]
    if not padding:
        return
    if padding < 1 << 32:
        yield struct.pack(">I4s", padding, b"free")
        remaining = padding - _FREE_BOX_HEADER
    else:
        # Boxes of 4 GiB or more put size 1 in the header and the real size in 64 bits after it.
        yield struct.pack(">I4sQ", 1, b"free", padding)
        remaining = padding - _FREE_BOX_LARGE_HEADER
    zeros = bytes(CHUNK_SIZE)
    while remaining > 0:
        piece = min(remaining, CHUNK_SIZE)
        yield zeros if piece == CHUNK_SIZE else zeros[:piece]
        remaining -= piece
