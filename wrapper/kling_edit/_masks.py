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

Everything works on whole runs of equal pixels (``bytes.find``, slicing, ``bytes.translate``,
``zlib``) rather than pixel by pixel, so a 1280x720 mask converts in a few milliseconds. The one
exception is PNG rows stored with the Average or Paeth filter, which have to be undone byte by byte.
A declared size is checked against :data:`MAX_MASK_PIXELS` before anything is allocated for it.
"""

from __future__ import annotations

import functools
import os
import struct
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs

__all__ = ["MAX_MASK_PIXELS", "Mask", "decode_png_rgb", "encode_png_rgb", "overlay"]

#: The most pixels a decoded mask or PNG may declare. Kling takes videos with sides of 720-2160
#: px, so no frame exceeds 2160x2160 (4.7 MP); a 3840x2160 frame leaves margin. Checked against
#: the declared size before anything is allocated, as Pillow's decompression-bomb check does:
#: a few bytes of RLE or PNG can otherwise claim hundreds of megabytes.
MAX_MASK_PIXELS = 3840 * 2160

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_GRAY, _RGB, _PALETTE, _GRAY_ALPHA, _RGBA = 0, 2, 3, 4, 6
# Colour type -> (supported bit depths, samples per pixel).
_PNG_LAYOUTS = {
    _GRAY: ((1, 8), 1),
    _RGB: ((8,), 3),
    _PALETTE: ((1, 8), 1),
    _GRAY_ALPHA: ((8,), 2),
    _RGBA: ((8,), 4),
}
# bytes.translate tables: any non-zero byte -> 1, and 0/1 -> 0/255.
_NONZERO_TO_ONE = bytes([0] + [1] * 255)
_ONE_TO_255 = bytes([0, 255]) + bytes(254)
# A packed 1-bit byte -> its 8 pixels, most significant bit first, as 0/1 bytes.
_BITS = [bytes((value >> shift) & 1 for shift in range(7, -1, -1)) for value in range(256)]


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
        _check_pixels("RLE size", width, height)
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
        image = _decode_png(data)
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
        return _encode_png(self.width, self.height, _GRAY, self.data.translate(_ONE_TO_255))

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


def encode_png_rgb(width: int, height: int, rgb: bytes) -> bytes:
    """Encode 8-bit RGB pixels (row-major, 3 bytes per pixel) as a PNG."""
    if width < 1 or height < 1 or len(rgb) != width * height * 3:
        raise ValueError(f"expected {width}x{height}x3 = {width * height * 3} bytes of RGB")
    return _encode_png(width, height, _RGB, rgb)


def decode_png_rgb(data: bytes) -> tuple[int, int, bytes]:
    """Decode a PNG (the kinds :meth:`Mask.from_png` reads) to ``(width, height, rgb)``.

    Grey is expanded to RGB, palettes are resolved and alpha is dropped (not composited).
    """
    image = _decode_png(data)
    planes = image.colour if len(image.colour) == 3 else image.colour * 3
    return image.width, image.height, _interleave(planes)


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


def _check_pixels(what: str, width: int, height: int) -> None:
    """Refuse a declared size beyond :data:`MAX_MASK_PIXELS` before allocating for it."""
    if width * height > MAX_MASK_PIXELS:
        raise ValueError(
            f"{what} {width}x{height} is {width * height} pixels, over the limit of "
            f"{MAX_MASK_PIXELS} (no video frame the API accepts is that large)"
        )


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


@functools.lru_cache(maxsize=32)
def _lanes(length: int) -> tuple[int, int]:
    """Masks of ``length`` bytes of 0x7F and of 0x80, for byte-wise arithmetic on big ints."""
    return int.from_bytes(b"\x7f" * length, "big"), int.from_bytes(b"\x80" * length, "big")


def _add_bytes(left: int, right: int, length: int) -> int:
    """Add two ``length``-byte strings held as ints, each byte modulo 256, without carries
    leaking into the next byte (SIMD within a register: the top bits are summed separately)."""
    low, high = _lanes(length)
    return ((left & low) + (right & low)) ^ ((left ^ right) & high)


def _subtract_bytes(left: int, right: int, length: int) -> int:
    """Byte-wise ``left - right`` modulo 256, the counterpart of :func:`_add_bytes`."""
    low, high = _lanes(length)
    return ((left | high) - (right & low)) ^ ((left ^ right ^ high) & high)


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload))
    )


def _encode_png(width: int, height: int, colour_type: int, pixels: bytes) -> bytes:
    # Every row uses the Up filter: masks and smooth frames then become long zero runs for zlib.
    stride = len(pixels) // height
    rows = []
    prior = 0
    for start in range(0, len(pixels), stride):
        current = int.from_bytes(pixels[start : start + stride], "big")
        rows.append(b"\x02" + _subtract_bytes(current, prior, stride).to_bytes(stride, "big"))
        prior = current
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (
        _PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows), 6))
        + _chunk(b"IEND", b"")
    )


@attrs.frozen
class _Image:
    """A decoded PNG: one plane (grey) or three (RGB) of 8-bit samples, and optional alpha."""

    width: int
    height: int
    colour: tuple[bytes, ...]
    alpha: bytes | None


def _png_chunks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    if not data.startswith(_PNG_SIGNATURE):
        raise ValueError("not a PNG image (bad signature)")
    pos = len(_PNG_SIGNATURE)
    while pos + 12 <= len(data):
        (length,) = struct.unpack_from(">I", data, pos)
        kind = data[pos + 4 : pos + 8]
        payload = data[pos + 8 : pos + 8 + length]
        if len(payload) != length or pos + 12 + length > len(data):
            break
        (crc,) = struct.unpack_from(">I", data, pos + 8 + length)
        if zlib.crc32(kind + payload) != crc:
            raise ValueError(f"corrupt PNG: bad CRC in the {kind!r} chunk")
        yield kind, payload
        if kind == b"IEND":
            return
        pos += 12 + length
    raise ValueError("truncated PNG: no IEND chunk")


def _decode_png(data: bytes) -> _Image:
    header = b""
    palette = transparency = b""
    compressed: list[bytes] = []
    for kind, payload in _png_chunks(data):
        if kind == b"IHDR":
            header = payload
        elif kind == b"PLTE":
            palette = payload
        elif kind == b"tRNS":
            transparency = payload
        elif kind == b"IDAT":
            compressed.append(payload)
    if len(header) != 13:
        raise ValueError("invalid PNG: missing or malformed IHDR chunk")
    width, height, depth, colour_type, compression, filtering, interlace = struct.unpack(
        ">IIBBBBB", header
    )
    depths, samples = _PNG_LAYOUTS.get(colour_type, ((), 0))
    if depth not in depths:
        raise ValueError(
            f"unsupported PNG: bit depth {depth} with colour type {colour_type} (supported: "
            "8-bit grey, grey+alpha, RGB, RGBA and palette; 1-bit grey and palette)"
        )
    if interlace:
        raise ValueError("unsupported PNG: interlaced (Adam7) images are not supported")
    if compression or filtering or width < 1 or height < 1:
        raise ValueError("invalid PNG header")
    _check_pixels("PNG size", width, height)
    stride = (width * samples * depth + 7) // 8
    raw = _inflate(b"".join(compressed), height * (stride + 1))
    rows = _unfilter(raw, height, stride, max(1, samples * depth // 8))
    if depth == 1:
        rows = [b"".join(map(_BITS.__getitem__, row))[:width] for row in rows]
    pixels = b"".join(rows)
    if colour_type == _GRAY:
        return _Image(
            width, height, (pixels.translate(_ONE_TO_255) if depth == 1 else pixels,), None
        )
    if colour_type == _PALETTE:
        return _palette_image(width, height, pixels, palette, transparency)
    planes = tuple(pixels[channel::samples] for channel in range(samples))
    if colour_type == _RGB:
        return _Image(width, height, planes, None)
    return _Image(width, height, planes[:-1], planes[-1])


def _inflate(compressed: bytes, expected: int) -> bytes:
    """Decompress image data, stopping one byte past what the header allows: a small file that
    inflates far beyond its declared size is refused without ever holding the excess."""
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(compressed, expected + 1)
    except zlib.error as exc:
        raise ValueError(f"corrupt PNG image data: {exc}") from exc
    if len(raw) > expected:
        raise ValueError(
            f"corrupt PNG: image data inflates past the {expected} bytes its header allows"
        )
    if not inflater.eof:
        raise ValueError("corrupt PNG image data: the compressed stream is incomplete")
    return raw


def _palette_image(
    width: int, height: int, indexes: bytes, palette: bytes, transparency: bytes
) -> _Image:
    entries = len(palette) // 3
    if not entries or len(palette) % 3:
        raise ValueError("invalid PNG: a palette image needs a PLTE chunk")
    if max(indexes) >= entries:
        raise ValueError("invalid PNG: a pixel refers to a colour beyond the palette")
    padding = bytes(256 - entries)
    colour = tuple(indexes.translate(palette[channel::3] + padding) for channel in range(3))
    if not transparency:
        return _Image(width, height, colour, None)
    alphas = transparency[:entries] + b"\xff" * (256 - min(len(transparency), entries))
    return _Image(width, height, colour, indexes.translate(alphas))


def _interleave(planes: Sequence[bytes]) -> bytes:
    out = bytearray(len(planes[0]) * len(planes))
    for channel, plane in enumerate(planes):
        out[channel :: len(planes)] = plane
    return bytes(out)


def _unfilter(raw: bytes, height: int, stride: int, bpp: int) -> list[bytes]:
    """Undo the per-row PNG filters; ``bpp`` is the byte distance to the pixel on the left."""
    if len(raw) != height * (stride + 1):
        raise ValueError(
            f"corrupt PNG: image data has {len(raw)} bytes, expected {height * (stride + 1)}"
        )
    rows: list[bytes] = []
    prior = bytes(stride)
    for row in range(height):
        start = row * (stride + 1)
        kind = raw[start]
        if kind >= len(_UNFILTERS):
            raise ValueError(f"corrupt PNG: row {row} has unknown filter type {kind}")
        prior = _UNFILTERS[kind](raw[start + 1 : start + 1 + stride], prior, bpp)
        rows.append(prior)
    return rows


def _unfilter_none(line: bytes, prior: bytes, bpp: int) -> bytes:
    return line


def _unfilter_sub(line: bytes, prior: bytes, bpp: int) -> bytes:
    # Each byte adds the reconstructed byte bpp to its left: a running sum, done as a parallel
    # prefix sum (shift by bpp, 2*bpp, 4*bpp, ... and add) on the whole row at once.
    length = len(line)
    total = int.from_bytes(line, "big")
    shift = bpp
    while shift < length:
        total = _add_bytes(total, total >> (8 * shift), length)
        shift *= 2
    return total.to_bytes(length, "big")


def _unfilter_up(line: bytes, prior: bytes, bpp: int) -> bytes:
    length = len(line)
    total = _add_bytes(int.from_bytes(line, "big"), int.from_bytes(prior, "big"), length)
    return total.to_bytes(length, "big")


def _unfilter_average(line: bytes, prior: bytes, bpp: int) -> bytes:
    out = bytearray(line)
    for i in range(min(bpp, len(out))):
        out[i] = (out[i] + (prior[i] >> 1)) & 0xFF
    for i in range(bpp, len(out)):
        out[i] = (out[i] + ((out[i - bpp] + prior[i]) >> 1)) & 0xFF
    return bytes(out)


def _unfilter_paeth(line: bytes, prior: bytes, bpp: int) -> bytes:
    # With nothing to the left, the Paeth predictor is the byte above: the Up filter.
    out = bytearray(_unfilter_up(line[:bpp], prior[:bpp], bpp) + line[bpp:])
    for i in range(bpp, len(out)):
        left, above, corner = out[i - bpp], prior[i], prior[i - bpp]
        to_left = abs(above - corner)
        to_above = abs(left - corner)
        to_corner = abs(left + above - 2 * corner)
        if to_left <= to_above and to_left <= to_corner:
            predicted = left
        elif to_above <= to_corner:
            predicted = above
        else:
            predicted = corner
        out[i] = (out[i] + predicted) & 0xFF
    return bytes(out)


_UNFILTERS = (
    _unfilter_none,
    _unfilter_sub,
    _unfilter_up,
    _unfilter_average,
    _unfilter_paeth,
)
