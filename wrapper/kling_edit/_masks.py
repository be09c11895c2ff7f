"""Binary masks in the two forms the multi-elements API sends them: COCO RLE and PNG.

The selection routes answer every marked object with ``rle_mask`` (``{"size": [h, w], "counts":
str}``, the compressed string form written by pycocotools' ``rleToString``) and ``png_mask`` (a
base64 PNG). This module reads and writes both with the standard library only, so the client, the
simulator and a demo can share one codec:

>>> mask = Mask.from_grid([[0, 1, 1], [0, 1, 0]])
>>> mask.to_rle()
{'size': [2, 3], 'counts': '231'}
>>> Mask.from_rle([2, 3], "231") == mask
True

Everything works on whole runs of equal pixels (``bytes.find``, slicing, ``bytes.translate``)
rather than pixel by pixel, so a 1280x720 mask converts in a few milliseconds. The PNG codec
itself lives in ``_png``; a declared size is checked against :data:`MAX_MASK_PIXELS` before
anything is allocated for it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs

from ._png import (
    GRAY,
    MAX_MASK_PIXELS,
    ONE_TO_255,
    check_pixels,
    decode_png,
    decode_png_rgb,
    encode_png,
    encode_png_rgb,
)

__all__ = ["MAX_MASK_PIXELS", "Mask", "decode_png_rgb", "encode_png_rgb", "overlay"]

# bytes.translate table: any non-zero byte -> 1.
_NONZERO_TO_ONE = bytes([0] + [1] * 255)


def _as_bytes(value: bytes | bytearray | memoryview) -> bytes:
    return bytes(value)


@attrs.frozen
class Mask:
    """A binary mask of ``height`` x ``width`` pixels.

    ``data`` holds one byte per pixel, row by row (row-major), each 0 or 1. Build masks with
    :meth:`from_rle`, :meth:`from_png` or :meth:`from_grid`; index them as ``mask[row, col]``.
    """

    height: int
    width: int
    data: bytes = attrs.field(converter=_as_bytes, repr=False)

    def __attrs_post_init__(self) -> None:
        if self.height < 1 or self.width < 1:
            raise ValueError(f"a mask needs at least 1x1 pixels, got {self.height}x{self.width}")
        if len(self.data) != self.height * self.width:
            raise ValueError(
                f"mask data has {len(self.data)} bytes, expected height*width = "
                f"{self.height * self.width}"
            )
        if self.data.translate(None, b"\x00\x01"):
            raise ValueError("mask data may only contain the byte values 0 and 1")

    @classmethod
    def from_grid(cls, rows: Sequence[Sequence[bool | int]]) -> Mask:
        """Build a mask from rows of truthy/falsy values (``rows[row][col]``)."""
        if not rows or not rows[0]:
            raise ValueError("a mask grid needs at least one row and one column")
        width = len(rows[0])
        if any(len(row) != width for row in rows):
            raise ValueError("all rows of a mask grid must have the same length")
        return cls(len(rows), width, bytes(1 if value else 0 for row in rows for value in row))

    @classmethod
    def from_rle(cls, size: Sequence[int], counts: str | Sequence[int]) -> Mask:
        """Decode COCO RLE: ``size`` is ``[height, width]``.

        ``counts`` is either pycocotools' compressed string or the uncompressed list of run
        lengths. Runs go down the columns (Fortran order) and start with a run of 0s.
        """
        height, width = _size_pair(size)
        check_pixels("RLE size", width, height)
        runs = _counts_from_string(counts) if isinstance(counts, str) else list(counts)
        if any(run < 0 for run in runs):
            raise ValueError("RLE run lengths must not be negative")
        if sum(runs) != height * width:
            raise ValueError(
                f"RLE runs cover {sum(runs)} pixels but size {height}x{width} has {height * width}"
            )
        column_major = b"".join(
            b"\x01" * run if index % 2 else bytes(run) for index, run in enumerate(runs)
        )
        return cls(height, width, _transpose(column_major, height))

    @classmethod
    def from_png(cls, data: bytes) -> Mask:
        """Decode a PNG mask: a pixel is set when any colour sample is non-zero.

        A pixel that is fully transparent (alpha channel or palette ``tRNS``) is unset. Supports
        non-interlaced PNGs of bit depth 8 (grey, grey+alpha, RGB, RGBA, palette) and 1 (grey,
        palette); raises :class:`ValueError` for anything else.
        """
        image = decode_png(data)
        pixels = image.width * image.height
        lit = 0
        for plane in image.colour:
            lit |= int.from_bytes(plane.translate(_NONZERO_TO_ONE), "big")
        if image.alpha is not None:
            lit &= int.from_bytes(image.alpha.translate(_NONZERO_TO_ONE), "big")
        return cls(image.height, image.width, lit.to_bytes(pixels, "big"))

    def __getitem__(self, index: tuple[int, int]) -> bool:
        """``mask[row, col]``: whether that pixel is set (no negative indexes)."""
        row, col = index
        if not (0 <= row < self.height and 0 <= col < self.width):
            raise IndexError(f"pixel {index} is outside a {self.height}x{self.width} mask")
        return self.data[row * self.width + col] == 1

    def count(self) -> int:
        """The number of set pixels."""
        return self.data.count(1)

    def to_grid(self) -> list[list[bool]]:
        """The mask as a list of rows of booleans."""
        width = self.width
        return [
            list(map(bool, self.data[start : start + width]))
            for start in range(0, len(self.data), width)
        ]

    def to_rle(self) -> dict[str, Any]:
        """Encode as COCO RLE with compressed counts, exactly as pycocotools' ``rleToString``."""
        column_major = _transpose(self.data, self.width)
        runs: list[int] = []
        previous_end = 0
        for start, end in _runs_of_ones(column_major):
            runs += (start - previous_end, end - start)
            previous_end = end
        # pycocotools closes with the last run, a trailing run of 0s included.
        if previous_end < len(column_major):
            runs.append(len(column_major) - previous_end)
        return {"size": [self.height, self.width], "counts": _counts_to_string(runs)}

    def to_png(self) -> bytes:
        """Encode as an 8-bit greyscale PNG, 0 for unset and 255 for set pixels."""
        return encode_png(self.width, self.height, GRAY, self.data.translate(ONE_TO_255))

    def save_png(self, path: str | os.PathLike[str]) -> Path:
        """Write :meth:`to_png` to ``path`` and return it as a :class:`~pathlib.Path`."""
        target = Path(path)
        target.write_bytes(self.to_png())
        return target

    def resized(self, height: int, width: int) -> Mask:
        """Scale to ``height`` x ``width`` with nearest-neighbour sampling."""
        if (height, width) == (self.height, self.width):
            return self
        columns = [col * self.width // width for col in range(width)]
        scaled_rows: dict[int, bytes] = {}
        rows = []
        for row in range(height):
            source = row * self.height // height
            if source not in scaled_rows:
                line = self.data[source * self.width : (source + 1) * self.width]
                scaled_rows[source] = bytes(map(line.__getitem__, columns))
            rows.append(scaled_rows[source])
        return Mask(height, width, b"".join(rows))


def overlay(
    frame_png: bytes,
    mask: Mask,
    color: tuple[int, int, int] = (255, 0, 64),
    alpha: float = 0.5,
) -> bytes:
    """Tint the masked pixels of a PNG frame with ``color`` and return the result as a PNG.

    ``alpha`` is the weight of ``color`` (0 leaves the frame as is, 1 paints it solid). A mask of
    another size than the frame is scaled to it with nearest-neighbour sampling.
    """
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be within [0, 1], got {alpha}")
    width, height, rgb = decode_png_rgb(frame_png)
    scaled = mask.resized(height, width)
    tints = [
        bytes(round(value * (1.0 - alpha) + channel * alpha) for value in range(256))
        for channel in color
    ]
    out = bytearray(rgb)
    for start, end in _runs_of_ones(scaled.data):
        for channel, tint in enumerate(tints):
            lane = slice(start * 3 + channel, end * 3, 3)
            out[lane] = out[lane].translate(tint)
    return encode_png_rgb(width, height, bytes(out))


def _size_pair(size: Sequence[int]) -> tuple[int, int]:
    if (
        isinstance(size, str | bytes)
        or not isinstance(size, Sequence)
        or len(size) != 2
        or not all(isinstance(side, int) and not isinstance(side, bool) for side in size)
        or min(size) < 1
    ):
        raise ValueError(
            f"RLE size must be [height, width] as two positive integers, got {size!r:.80}"
        )
    return size[0], size[1]


def _transpose(data: bytes, cols: int) -> bytes:
    """Swap the axes of a grid of ``cols`` columns stored row by row (a strided slice a column)."""
    return b"".join(data[col::cols] for col in range(cols))


def _runs_of_ones(data: bytes) -> Iterator[tuple[int, int]]:
    """Yield ``(start, end)`` of each maximal run of 1 bytes."""
    end = 0
    while (start := data.find(1, end)) >= 0:
        end = data.find(0, start)
        if end < 0:
            end = len(data)
        yield start, end


def _counts_to_string(runs: Sequence[int]) -> str:
    """pycocotools' ``rleToString``: LEB128-like 5-bit groups plus 48, runs from the 4th on
    stored as the difference to the run two before (``i > 2`` in the C source, kept as is)."""
    chars: list[str] = []
    for index, run in enumerate(runs):
        value = run - runs[index - 2] if index > 2 else run
        more = True
        while more:
            group = value & 0x1F
            value >>= 5
            # The sign bit of the last group (0x10) must agree with what is left of the value.
            more = value != -1 if group & 0x10 else value != 0
            chars.append(chr(group + 48 + (0x20 if more else 0)))
    return "".join(chars)


def _counts_from_string(counts: str) -> list[int]:
    """pycocotools' ``rleFrString``: the inverse of :func:`_counts_to_string`."""
    runs: list[int] = []
    value = shift = 0
    for char in counts:
        code = ord(char) - 48
        if not 0 <= code < 64:
            raise ValueError(f"invalid character {char!r} in RLE counts")
        value |= (code & 0x1F) << shift
        shift += 5
        if code & 0x20:
            continue
        if code & 0x10:
            value |= -1 << shift
        if len(runs) > 2:
            value += runs[-2]
        runs.append(value)
        value = shift = 0
    if shift:
        raise ValueError("RLE counts string ends in the middle of a number")
    return runs
