"""Make the sample media the simulator serves, into wrapper/kling_edit/testing/assets/.

    pip install imageio-ffmpeg==0.8.1
    python scripts/make_sample_media.py

Writes, the same bytes on every run with the same ffmpeg build:

- ``sample.mp4``: H.264, 1280x720, 30 fps, 5.0 s: an orange ball crossing a blue-green gradient.
- ``cover.png``: frame 0 of the video.
- ``object.png``: 512x512 picture of a gift box, a reference image for addition and swap.

The frames are drawn in Python (bytearray slices, no imaging library) and piped as raw RGB into
the ffmpeg binary that the imageio-ffmpeg wheel ships. Set ``FFMPEG`` to use another binary.
"""

from __future__ import annotations

import importlib
import math
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "wrapper"))

from kling_edit._masks import encode_png_rgb  # noqa: E402 (needs the path above)
from kling_edit.testing._selection import disc_spans  # noqa: E402

ASSETS = ROOT / "wrapper" / "kling_edit" / "testing" / "assets"
WIDTH, HEIGHT, FPS, SECONDS = 1280, 720, 30, 5
BALL_RADIUS = 70
BALL_RGB = bytes((255, 140, 26))
OBJECT_SIZE = 512


def paint_disc(
    pixels: bytearray, size: tuple[int, int], centre: tuple[float, float], radius: float, rgb: bytes
) -> None:
    """Fill a disc in an RGB buffer of ``size`` (width, height)."""
    width, height = size
    for row, left, end in disc_spans(centre, radius, width, height):
        pixels[(row * width + left) * 3 : (row * width + end) * 3] = rgb * (end - left)


def paint_rect(pixels: bytearray, width: int, box: tuple[int, int, int, int], rgb: bytes) -> None:
    """Fill the rectangle ``(left, top, right, bottom)`` (exclusive ends) in an RGB buffer."""
    left, top, right, bottom = box
    for row in range(top, bottom):
        start = (row * width + left) * 3
        pixels[start : start + (right - left) * 3] = rgb * (right - left)


def gradient() -> bytes:
    """The background: red and blue change across, green down the frame."""
    reds = bytes(20 + 60 * x // WIDTH for x in range(WIDTH))
    blues = bytes(200 - 80 * x // WIDTH for x in range(WIDTH))
    rows = []
    for y in range(HEIGHT):
        row = bytearray(WIDTH * 3)
        row[0::3] = reds
        row[1::3] = bytes([60 + 120 * y // HEIGHT]) * WIDTH
        row[2::3] = blues
        rows.append(bytes(row))
    return b"".join(rows)


def frames() -> Iterator[bytes]:
    """The ball rolls left to right on a gentle wave."""
    background = gradient()
    count = FPS * SECONDS
    for index in range(count):
        progress = index / (count - 1)
        centre = (
            160 + (WIDTH - 320) * progress,
            HEIGHT / 2 + 120 * math.sin(2 * math.pi * progress),
        )
        frame = bytearray(background)
        paint_disc(frame, (WIDTH, HEIGHT), centre, BALL_RADIUS, BALL_RGB)
        yield bytes(frame)


def gift_box() -> bytes:
    """A red box with a green ribbon and bow on a light grey background."""
    size = OBJECT_SIZE
    pixels = bytearray(bytes((235, 235, 235)) * size * size)
    paint_rect(pixels, size, (96, 176, 416, 448), bytes((200, 30, 40)))
    paint_rect(pixels, size, (236, 176, 276, 448), bytes((30, 150, 60)))
    paint_rect(pixels, size, (96, 292, 416, 332), bytes((30, 150, 60)))
    for centre in ((216.0, 140.0), (296.0, 140.0)):
        paint_disc(pixels, (size, size), centre, 40, bytes((30, 150, 60)))
    return bytes(pixels)


def ffmpeg_binary() -> str:
    """``$FFMPEG``, or the binary inside the imageio-ffmpeg wheel."""
    configured = os.environ.get("FFMPEG")
    if configured:
        return configured
    binary: str = importlib.import_module("imageio_ffmpeg").get_ffmpeg_exe()
    return binary


def encode_video(target: Path) -> None:
    """Pipe the frames through x264 with settings chosen for a small, reproducible file."""
    command = [
        ffmpeg_binary(),
        "-loglevel", "error", "-y",
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{WIDTH}x{HEIGHT}", "-r", str(FPS),
        "-i", "-",
        "-c:v", "libx264", "-preset", "slow", "-crf", "30", "-pix_fmt", "yuv420p",
        # One thread and bit-exact muxing: the same input gives the same bytes.
        "-threads", "1", "-fflags", "+bitexact", "-flags:v", "+bitexact",
        "-map_metadata", "-1", "-movflags", "+faststart",
        str(target),
    ]  # fmt: skip
    with subprocess.Popen(command, stdin=subprocess.PIPE) as process:
        assert process.stdin is not None
        for frame in frames():
            process.stdin.write(frame)
        process.stdin.close()
    if process.returncode:
        raise SystemExit(f"ffmpeg failed with exit code {process.returncode}")


def main() -> None:
    """Write the three assets and print their sizes."""
    ASSETS.mkdir(parents=True, exist_ok=True)
    encode_video(ASSETS / "sample.mp4")
    (ASSETS / "cover.png").write_bytes(encode_png_rgb(WIDTH, HEIGHT, next(frames())))
    (ASSETS / "object.png").write_bytes(encode_png_rgb(OBJECT_SIZE, OBJECT_SIZE, gift_box()))
    for name in ("sample.mp4", "cover.png", "object.png"):
        print(f"{name}: {(ASSETS / name).stat().st_size} bytes")


if __name__ == "__main__":
    main()
