"""Fake segmentation: the region the simulator "finds" around the marked points of a frame."""

from __future__ import annotations

import base64
import functools
import math
from collections.abc import Iterator
from typing import Any

from .._masks import Mask

# A disc per point, its radius this share of the shorter video side: big enough to see in a demo.
RADIUS_FRACTION = 0.08

Points = tuple[tuple[float, float], ...]


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


def selection_mask(height: int, width: int, points: Points) -> Mask:
    """The union of a disc around each relative ``(x, y)`` point."""
    radius = max(1.0, RADIUS_FRACTION * min(height, width))
    pixels = bytearray(height * width)
    ones = b"\x01" * width
    for x, y in points:
        for row, left, end in disc_spans(
            (x * (width - 1), y * (height - 1)), radius, width, height
        ):
            pixels[row * width + left : row * width + end] = ones[: end - left]
    return Mask(height, width, pixels)


@functools.lru_cache(maxsize=256)
def encoded_selection(height: int, width: int, points: Points) -> tuple[str, bytes]:
    """``(RLE counts, PNG)`` of :func:`selection_mask`, cached: a thousand concurrent jobs that
    mark the same points cost one encoding."""
    mask = selection_mask(height, width, points)
    return mask.to_rle()["counts"], mask.to_png()


def rle_mask_list(height: int, width: int, points: Points) -> list[dict[str, Any]]:
    """``res.rle_mask_list`` of add/delete-selection: one object for the frame's points."""
    if not points:
        return []
    counts, png = encoded_selection(height, width, points)
    size = [height, width]
    return [
        {
            "object_id": 1,
            "rle_mask": {"size": size, "counts": counts},
            "png_mask": {"size": size, "base64": base64.b64encode(png).decode("ascii")},
        }
    ]
