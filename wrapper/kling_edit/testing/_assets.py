"""The sample media shipped inside the package (made by ``scripts/make_sample_media.py``)."""

from __future__ import annotations

import functools
import struct
from collections.abc import Iterator, Mapping
from pathlib import Path

ASSETS_DIR = Path(__file__).parent / "assets"
#: A playable H.264 MP4: 1280x720, 30 fps, 5.0 s, an orange ball rolling across a gradient (in
#: frame 0 it sits at the relative point x=0.125, y=0.5). The simulator serves it as every video.
SAMPLE_VIDEO = ASSETS_DIR / "sample.mp4"
#: Frame 0 of :data:`SAMPLE_VIDEO` as a PNG (the preview cover).
SAMPLE_COVER = ASSETS_DIR / "cover.png"
#: A 512x512 PNG of a simple object, a valid ``image_list`` reference for addition and swap.
SAMPLE_IMAGE = ASSETS_DIR / "object.png"
#: The simulated "edited" result of each edit mode: the sample clip pre-rendered without the
#: ball (removal), with the gift box of :data:`SAMPLE_IMAGE` in its place (swap), and with a gift
#: box riding above it (addition). Stand-ins that show what each edit does, not real edits.
RESULT_VIDEOS: Mapping[str, Path] = {
    mode: ASSETS_DIR / f"result-{mode}.mp4" for mode in ("removal", "swap", "addition")
}

CHUNK_SIZE = 1 << 20
_FREE_BOX_HEADER = 8
_FREE_BOX_LARGE_HEADER = 16


@functools.cache
def asset_bytes(path: Path) -> bytes:
    """The content of a shipped asset, read once."""
    return path.read_bytes()


def check_padded_size(size: int) -> None:
    """Raise ValueError when :func:`padded_video` cannot reach ``size`` bytes exactly for every
    video it may serve."""
    for path in (SAMPLE_VIDEO, *RESULT_VIDEOS.values()):
        shortfall = size - len(asset_bytes(path))
        if shortfall != 0 and shortfall < _FREE_BOX_HEADER:
            raise ValueError(
                f"result_size_bytes must equal the size of {path.name} ({size - shortfall} bytes)"
                f" or exceed it by at least {_FREE_BOX_HEADER} bytes (an MP4 'free' box header),"
                f" got {size}"
            )


def result_clip(edit_mode: str | None) -> bytes:
    """The video a finished task of ``edit_mode`` serves (the sample itself for None)."""
    return asset_bytes(SAMPLE_VIDEO if edit_mode is None else RESULT_VIDEOS[edit_mode])


def padded_video(size: int | None, edit_mode: str | None = None) -> tuple[int, Iterator[bytes]]:
    """:func:`result_clip` grown to ``size`` bytes by a trailing MP4 ``free`` box, in chunks.

    Players skip ``free`` boxes, so the file stays playable; the zero padding is produced as it
    is sent, so a 200 MB result costs no memory. ``None`` means the clip as it is.
    """
    video = result_clip(edit_mode)
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
