"""Fake segmentation: the region the simulator "finds" for the marked points of a frame.

The sample clip holds one object, a ball: a point on it selects the ball's outline on that frame,
a point on the background selects nothing.
"""

from __future__ import annotations

import base64
import functools
import math
from collections.abc import Iterator
from typing import Any

from .._masks import Mask

Points = tuple[tuple[float, float], ...]

#: The sample clip's one object is an orange ball of this radius rolling left to right on a gentle
#: wave over a 1280x720 frame (``scripts/make_sample_media.py`` draws it from :func:`ball_centre`).
SAMPLE_WIDTH, SAMPLE_HEIGHT = 1280, 720
BALL_RADIUS = 70


def ball_centre(progress: float) -> tuple[float, float]:
    """Where the ball's centre is, in pixels of the sample, ``progress`` (0-1) through the clip."""
    return (
        160 + (SAMPLE_WIDTH - 320) * progress,
        SAMPLE_HEIGHT / 2 + 120 * math.sin(2 * math.pi * progress),
    )


def _ball_disc(
    height: int, width: int, total_frames: int, frame_index: int
) -> tuple[tuple[float, float], float]:
    """The ball on ``frame_index`` of a video of this size (the sample's geometry, scaled)."""
    progress = frame_index / (total_frames - 1) if total_frames > 1 else 0.0
    x, y = ball_centre(progress)
    scale_x, scale_y = width / SAMPLE_WIDTH, height / SAMPLE_HEIGHT
    return (x * scale_x, y * scale_y), BALL_RADIUS * min(scale_x, scale_y)


def object_mask(
    height: int, width: int, total_frames: int, frame_index: int, points: Points
) -> Mask | None:
    """The mask of the sample's ball on ``frame_index`` when a relative ``(x, y)`` point lands
    on it, else None: a click on the background selects nothing, as real segmentation would."""
    if not _hits_ball(height, width, total_frames, frame_index, points):
        return None
    return _encoded_ball(height, width, total_frames, frame_index)[0]


def _hits_ball(
    height: int, width: int, total_frames: int, frame_index: int, points: Points
) -> bool:
    centre, radius = _ball_disc(height, width, total_frames, frame_index)
    # Relative points map to pixels as x * (width - 1): (0, 0) and (1, 1) are the corner pixels.
    return any(math.dist((x * (width - 1), y * (height - 1)), centre) <= radius for x, y in points)


@functools.lru_cache(maxsize=256)
def _encoded_ball(
    height: int, width: int, total_frames: int, frame_index: int
) -> tuple[Mask, str, bytes]:
    """The ball's mask on one frame with its RLE counts and PNG, cached: a thousand concurrent
    jobs that select the ball on the same frame cost one encoding."""
    centre, radius = _ball_disc(height, width, total_frames, frame_index)
    pixels = bytearray(height * width)
    ones = b"\x01" * width
    for row, left, end in disc_spans(centre, radius, width, height):
        pixels[row * width + left : row * width + end] = ones[: end - left]
    mask = Mask(height, width, pixels)
    return mask, mask.to_rle()["counts"], mask.to_png()


def object_mask_list(
    height: int, width: int, total_frames: int, frame_index: int, points: Points
) -> list[dict[str, Any]]:
    """``res.rle_mask_list`` of add/delete-selection: the ball when a point lands on it, else
    empty."""
    if not _hits_ball(height, width, total_frames, frame_index, points):
        return []
    _, counts, png = _encoded_ball(height, width, total_frames, frame_index)
    size = [height, width]
    return [
        {
            "object_id": 1,
            "rle_mask": {"size": size, "counts": counts},
            "png_mask": {"size": size, "base64": base64.b64encode(png).decode("ascii")},
        }
    ]


def object_png(
    height: int, width: int, total_frames: int, frame_index: int, points: Points
) -> bytes:
    """The tracking PNG of one frame's selection: the ball's mask, or an empty one."""
    if not _hits_ball(height, width, total_frames, frame_index, points):
        return _empty_png(height, width)
    return _encoded_ball(height, width, total_frames, frame_index)[2]


@functools.lru_cache(maxsize=16)
def _empty_png(height: int, width: int) -> bytes:
    return Mask(height, width, bytes(height * width)).to_png()


def disc_spans(
    centre: tuple[float, float], radius: float, width: int, height: int
) -> Iterator[tuple[int, int, int]]:
    """``(row, left, end)`` pixel spans (``end`` exclusive) of a disc clipped to the image, so
    a caller can fill it with one slice assignment a row."""
    cx, cy = centre
    for row in range(max(0, math.ceil(cy - radius)), min(height - 1, math.floor(cy + radius)) + 1):
        half = math.sqrt(max(0.0, radius * radius - (row - cy) ** 2))
        left, right = max(0, math.ceil(cx - half)), min(width - 1, math.floor(cx + half))
        if left <= right:
            yield row, left, right + 1
