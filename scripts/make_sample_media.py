"""Make the sample media the simulator serves, into wrapper/kling_edit/testing/assets/.

    pip install imageio-ffmpeg==0.8.1
    python scripts/make_sample_media.py

Writes, the same bytes on every run with the same ffmpeg build:

- ``sample.mp4``: H.264, 1280x720, 30 fps, 5.0 s: an orange ball crossing a blue-green gradient.
- ``cover.png``: frame 0 of the video.
- ``object.png``: 512x512 picture of a gift box, a reference image for addition and swap.
- ``result-removal.mp4``, ``result-swap.mp4``, ``result-addition.mp4``: what the simulator
  serves as the "edited" result of each edit mode: the sample without the ball, with the gift
  box in its place, and with a gift box riding above it. Pre-rendered stand-ins, not edits.

The frames are drawn in Python (bytearray slices, no imaging library) and piped as raw RGB into
the ffmpeg binary that the imageio-ffmpeg wheel ships. Set ``FFMPEG`` to use another binary.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "wrapper"))

from kling_edit._masks import encode_png_rgb  # noqa: E402 (needs the path above)
from kling_edit.testing._assets import RESULT_VIDEOS  # noqa: E402
from kling_edit.testing._selection import (  # noqa: E402
    BALL_RADIUS,
    SAMPLE_HEIGHT,
    SAMPLE_WIDTH,
    ball_centre,
    disc_spans,
)

ASSETS = ROOT / "wrapper" / "kling_edit" / "testing" / "assets"
WIDTH, HEIGHT, FPS, SECONDS = SAMPLE_WIDTH, SAMPLE_HEIGHT, 30, 5
BALL_RGB = bytes((255, 140, 26))
OBJECT_SIZE = 512
# The gift box as it appears in the results, its design grid scaled so that the box itself (320
# of 512 px) is as wide as the ball in the ball's place (swap), or a little smaller above it
# (addition).
SWAP_BOX_SIZE = 2 * BALL_RADIUS * OBJECT_SIZE // 320
ADDED_BOX_SIZE = 160
ADDED_BOX_OFFSET = -180

Painter = Callable[[bytearray, tuple[float, float]], None]


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


def frames(paint: Painter) -> Iterator[bytes]:
    """Each frame of the clip: the gradient, then ``paint`` given the ball's centre, as the ball
    rolls left to right on a gentle wave."""
    background = gradient()
    count = FPS * SECONDS
    for index in range(count):
        frame = bytearray(background)
        paint(frame, ball_centre(index / (count - 1)))
        yield bytes(frame)


def paint_ball(frame: bytearray, centre: tuple[float, float]) -> None:
    paint_disc(frame, (WIDTH, HEIGHT), centre, BALL_RADIUS, BALL_RGB)


def paint_nothing(frame: bytearray, centre: tuple[float, float]) -> None:
    """The removal result: the background the ball was hiding."""


def paint_box_for_ball(frame: bytearray, centre: tuple[float, float]) -> None:
    """The swap result: the gift box where the ball was."""
    paint_gift_box(frame, (WIDTH, HEIGHT), centre, SWAP_BOX_SIZE)


def paint_ball_and_box(frame: bytearray, centre: tuple[float, float]) -> None:
    """The addition result: the ball, and a gift box riding above it."""
    paint_ball(frame, centre)
    above = (centre[0], centre[1] + ADDED_BOX_OFFSET)
    paint_gift_box(frame, (WIDTH, HEIGHT), above, ADDED_BOX_SIZE)


RESULT_PAINTERS: dict[str, Painter] = {
    "removal": paint_nothing,
    "swap": paint_box_for_ball,
    "addition": paint_ball_and_box,
}


def paint_gift_box(
    pixels: bytearray, size: tuple[int, int], centre: tuple[float, float], side: int
) -> None:
    """A red box with a green ribbon and bow, ``side`` pixels square around ``centre``, in an
    RGB buffer of ``size`` (width, height); drawn on a 512-pixel design grid and scaled."""
    width = size[0]
    scale = side / OBJECT_SIZE
    cx, cy = centre

    def at(x: float, y: float) -> tuple[float, float]:
        return cx + (x - OBJECT_SIZE / 2) * scale, cy + (y - OBJECT_SIZE / 2) * scale

    def box(left: int, top: int, right: int, bottom: int, rgb: bytes) -> None:
        (x0, y0), (x1, y1) = at(left, top), at(right, bottom)
        paint_rect(pixels, width, (round(x0), round(y0), round(x1), round(y1)), rgb)

    green = bytes((30, 150, 60))
    box(96, 176, 416, 448, bytes((200, 30, 40)))
    box(236, 176, 276, 448, green)
    box(96, 292, 416, 332, green)
    for bow in ((216.0, 140.0), (296.0, 140.0)):
        paint_disc(pixels, size, at(*bow), 40 * scale, green)


def gift_box() -> bytes:
    """The reference image: the gift box on a light grey background."""
    pixels = bytearray(bytes((235, 235, 235)) * OBJECT_SIZE * OBJECT_SIZE)
    middle = OBJECT_SIZE / 2
    paint_gift_box(pixels, (OBJECT_SIZE, OBJECT_SIZE), (middle, middle), OBJECT_SIZE)
    return bytes(pixels)


def ffmpeg_binary() -> str:
    """``$FFMPEG``, or the binary inside the imageio-ffmpeg wheel."""
    configured = os.environ.get("FFMPEG")
    if configured:
        return configured
    binary: str = importlib.import_module("imageio_ffmpeg").get_ffmpeg_exe()
    return binary


def encode_video(target: Path, paint: Painter) -> None:
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
        for frame in frames(paint):
            process.stdin.write(frame)
        process.stdin.close()
    if process.returncode:
        raise SystemExit(f"ffmpeg failed with exit code {process.returncode}")


def main() -> None:
    """Write the assets and print their sizes."""
    ASSETS.mkdir(parents=True, exist_ok=True)
    written = [ASSETS / "sample.mp4", ASSETS / "cover.png", ASSETS / "object.png"]
    encode_video(written[0], paint_ball)
    written[1].write_bytes(encode_png_rgb(WIDTH, HEIGHT, next(frames(paint_ball))))
    written[2].write_bytes(encode_png_rgb(OBJECT_SIZE, OBJECT_SIZE, gift_box()))
    for edit_mode, paint in RESULT_PAINTERS.items():
        encode_video(RESULT_VIDEOS[edit_mode], paint)
        written.append(RESULT_VIDEOS[edit_mode])
    for path in written:
        print(f"{path.name}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
