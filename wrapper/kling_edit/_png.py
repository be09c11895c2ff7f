"""The PNG codec behind `Mask` and `overlay`: chunks, filters and zlib, standard library only.

Reads the non-interlaced kinds a mask or a frame comes in (bit depth 8: grey, grey+alpha, RGB,
RGBA, palette; bit depth 1: grey, palette) and writes 8-bit grey or RGB with the Up filter.
Rows are processed whole (big-int arithmetic, ``bytes.translate``), except the Average and Paeth
filters, which have to be undone byte by byte. A declared size is checked against
:data:`MAX_MASK_PIXELS` before anything is allocated for it. Nothing else lives here.
"""

from __future__ import annotations

import functools
import struct
import zlib
from collections.abc import Iterator, Sequence

import attrs

#: The most pixels a decoded mask or PNG may declare. Kling takes videos with sides of 720-2160
#: px, so no frame exceeds 2160x2160 (4.7 MP); a 3840x2160 frame leaves margin. Checked against
#: the declared size before anything is allocated, as Pillow's decompression-bomb check does:
#: a few bytes of RLE or PNG can otherwise claim hundreds of megabytes.
MAX_MASK_PIXELS = 3840 * 2160

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
GRAY, _RGB, _PALETTE, _GRAY_ALPHA, _RGBA = 0, 2, 3, 4, 6
# Colour type -> (supported bit depths, samples per pixel).
_PNG_LAYOUTS = {
    GRAY: ((1, 8), 1),
    _RGB: ((8,), 3),
    _PALETTE: ((1, 8), 1),
    _GRAY_ALPHA: ((8,), 2),
    _RGBA: ((8,), 4),
}
# bytes.translate table: 0/1 -> 0/255.
ONE_TO_255 = bytes([0, 255]) + bytes(254)
# A packed 1-bit byte -> its 8 pixels, most significant bit first, as 0/1 bytes.
_BITS = [bytes((value >> shift) & 1 for shift in range(7, -1, -1)) for value in range(256)]


def check_pixels(what: str, width: int, height: int) -> None:
    """Refuse a declared size beyond :data:`MAX_MASK_PIXELS` before allocating for it."""
    if width * height > MAX_MASK_PIXELS:
        raise ValueError(
            f"{what} {width}x{height} is {width * height} pixels, over the limit of "
            f"{MAX_MASK_PIXELS} (no video frame the API accepts is that large)"
        )


def encode_png_rgb(width: int, height: int, rgb: bytes) -> bytes:
    """Encode 8-bit RGB pixels (row-major, 3 bytes per pixel) as a PNG."""
    if width < 1 or height < 1 or len(rgb) != width * height * 3:
        raise ValueError(f"expected {width}x{height}x3 = {width * height * 3} bytes of RGB")
    return encode_png(width, height, _RGB, rgb)


def decode_png_rgb(data: bytes) -> tuple[int, int, bytes]:
    """Decode a PNG (the kinds this module reads) to ``(width, height, rgb)``.

    Grey is expanded to RGB, palettes are resolved and alpha is dropped (not composited).
    """
    image = decode_png(data)
    planes = image.colour if len(image.colour) == 3 else image.colour * 3
    return image.width, image.height, _interleave(planes)


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


def encode_png(width: int, height: int, colour_type: int, pixels: bytes) -> bytes:
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
class PngImage:
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


def decode_png(data: bytes) -> PngImage:
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
    check_pixels("PNG size", width, height)
    stride = (width * samples * depth + 7) // 8
    raw = _inflate(b"".join(compressed), height * (stride + 1))
    rows = _unfilter(raw, height, stride, max(1, samples * depth // 8))
    if depth == 1:
        rows = [b"".join(map(_BITS.__getitem__, row))[:width] for row in rows]
    pixels = b"".join(rows)
    if colour_type == GRAY:
        return PngImage(
            width, height, (pixels.translate(ONE_TO_255) if depth == 1 else pixels,), None
        )
    if colour_type == _PALETTE:
        return _palette_image(width, height, pixels, palette, transparency)
    planes = tuple(pixels[channel::samples] for channel in range(samples))
    if colour_type == _RGB:
        return PngImage(width, height, planes, None)
    return PngImage(width, height, planes[:-1], planes[-1])


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
) -> PngImage:
    entries = len(palette) // 3
    if not entries or len(palette) % 3:
        raise ValueError("invalid PNG: a palette image needs a PLTE chunk")
    if max(indexes) >= entries:
        raise ValueError("invalid PNG: a pixel refers to a colour beyond the palette")
    padding = bytes(256 - entries)
    colour = tuple(indexes.translate(palette[channel::3] + padding) for channel in range(3))
    if not transparency:
        return PngImage(width, height, colour, None)
    alphas = transparency[:entries] + b"\xff" * (256 - min(len(transparency), entries))
    return PngImage(width, height, colour, indexes.translate(alphas))


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
