"""The mask codec: COCO RLE strings exactly as pycocotools writes them, and PNG in and out."""

from __future__ import annotations

import struct
import time
import tracemalloc
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kling_edit._masks import Mask, decode_png_rgb, encode_png_rgb, overlay

# --- RLE ------------------------------------------------------------------------------------


def test_known_string_computed_by_hand() -> None:
    # Rows [0 1 1] / [0 1 0] read down the columns (Fortran order): 0 0 | 1 1 | 1 0, that is
    # runs 2 zeros, 3 ones, 1 zero. The first three runs are stored as is, one character each
    # (48 + run): "2", "3", "1".
    mask = Mask.from_grid([[0, 1, 1], [0, 1, 0]])
    assert mask.to_rle() == {"size": [2, 3], "counts": "231"}


def test_known_string_with_deltas_computed_by_hand() -> None:
    # One row, runs [5, 2, 3, 1, 30]. "5", "2", "3" as is. From the 4th run on pycocotools
    # stores the difference to the run two before: 1 - 2 = -1, five low bits 0b11111 = 31,
    # and what is left is -1 again, so one character: 48 + 31 = "O". Then 30 - 3 = 27 =
    # 0b11011: bit 0x10 is set, which would read back as negative, so it takes a continuation
    # group: 27 | 0x20 = 59 -> 48 + 59 = "k", then the remaining 0 -> "0".
    row = [0] * 5 + [1] * 2 + [0] * 3 + [1] + [0] * 30
    mask = Mask.from_grid([row])
    assert mask.to_rle()["counts"] == "523Ok0"


@pytest.mark.parametrize(
    ("start", "stop", "counts"),
    [(0, 5, "05d00000000d?"), (5, 10, "R45d00000000b;"), (20, 25, "X`05d00000000")],
)
def test_published_pycocotools_outputs(start: int, stop: int, counts: str) -> None:
    # pycocotools.mask.encode of a 25x25 mask with [start:stop, start:stop] set, as published
    # in the test suites of pycocotools ports.
    grid = [[start <= r < stop and start <= c < stop for c in range(25)] for r in range(25)]
    assert Mask.from_grid(grid).to_rle() == {"size": [25, 25], "counts": counts}


def test_decodes_published_pycocotools_string() -> None:
    mask = Mask.from_rle([25, 25], "R45d00000000b;")
    assert (mask.count(), mask[5, 5], mask[9, 9], mask[10, 10]) == (25, True, True, False)


def test_from_rle_accepts_uncompressed_counts() -> None:
    assert Mask.from_rle([2, 3], [2, 3, 1]) == Mask.from_rle([2, 3], "231")


def test_mask_starting_with_ones_gets_leading_zero_run() -> None:
    # Down the columns: 1 0 | 1 0, runs [0, 1, 1, 1, 1]; the 4th and 5th are stored as differences
    # to the run two before (1 - 1 = 0): "0", "1", "1", "0", "0".
    assert Mask.from_grid([[1, 1], [0, 0]]).to_rle()["counts"] == "01100"


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ("23", "cover 5 pixels"),
        ("23 1", "invalid character"),
        ("T", "middle of a number"),
        ([2, -1, 5], "must not be negative"),
    ],
)
def test_from_rle_rejects_bad_counts(counts: str | list[int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Mask.from_rle([2, 3], counts)


def test_from_rle_rejects_bad_size() -> None:
    with pytest.raises(ValueError, match="height, width"):
        Mask.from_rle([6], "6")


grids = st.integers(1, 9).flatmap(
    lambda width: st.lists(
        st.lists(st.booleans(), min_size=width, max_size=width), min_size=1, max_size=9
    )
)


@given(grids)
def test_rle_round_trip(grid: list[list[bool]]) -> None:
    mask = Mask.from_grid(grid)
    rle = mask.to_rle()
    assert Mask.from_rle(rle["size"], rle["counts"]).to_grid() == grid


@given(grids)
def test_png_round_trip(grid: list[list[bool]]) -> None:
    assert Mask.from_png(Mask.from_grid(grid).to_png()).to_grid() == grid


def _big_mask() -> Mask:
    height, width = 720, 1280
    pixels = bytearray(height * width)
    for row in range(100, 600):
        pixels[row * width + 200 + row : row * width + 700 + row] = b"\x01" * 500
    return Mask(height, width, pixels)


def _best_of_three(action: Callable[[], object]) -> float:
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return min(timings)


def test_rle_of_a_720p_mask_is_fast() -> None:
    mask = _big_mask()
    rle = mask.to_rle()
    encode = _best_of_three(mask.to_rle)
    decode = _best_of_three(lambda: Mask.from_rle(rle["size"], rle["counts"]))
    assert (encode < 0.05, decode < 0.05) == (True, True), (encode, decode)


# --- the Mask value -------------------------------------------------------------------------


def test_indexing_count_and_grid() -> None:
    mask = Mask.from_grid([[0, 1, 1], [0, 1, 0]])
    assert (mask[0, 1], mask[1, 2], mask.count(), mask.to_grid()) == (
        True,
        False,
        3,
        [[False, True, True], [False, True, False]],
    )


def test_index_outside_raises() -> None:
    with pytest.raises(IndexError):
        Mask.from_grid([[1]])[1, 0]


@pytest.mark.parametrize(
    ("height", "width", "data", "message"),
    [
        (0, 3, b"", "at least 1x1"),
        (2, 2, b"\x00\x01\x00", "expected height\\*width"),
        (1, 2, b"\x00\x02", "0 and 1"),
    ],
)
def test_invalid_mask_data(height: int, width: int, data: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Mask(height, width, data)


def test_from_grid_rejects_ragged_rows() -> None:
    with pytest.raises(ValueError, match="same length"):
        Mask.from_grid([[1, 0], [1]])


def test_save_png(tmp_path: Path) -> None:
    mask = Mask.from_grid([[1, 0], [0, 1]])
    path = mask.save_png(tmp_path / "mask.png")
    assert Mask.from_png(path.read_bytes()) == mask


def test_to_png_is_grey_0_and_255() -> None:
    width, height, rgb = decode_png_rgb(Mask.from_grid([[1, 0]]).to_png())
    assert (width, height, rgb) == (2, 1, b"\xff\xff\xff\x00\x00\x00")


def test_resized_uses_nearest_neighbour() -> None:
    mask = Mask.from_grid([[1, 0], [0, 1]])
    assert mask.resized(4, 4).to_grid() == [
        [True, True, False, False],
        [True, True, False, False],
        [False, False, True, True],
        [False, False, True, True],
    ]


# --- PNG decoding ---------------------------------------------------------------------------


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload))
    )


def _paeth(left: int, above: int, corner: int) -> int:
    estimate = left + above - corner
    distances = [abs(estimate - left), abs(estimate - above), abs(estimate - corner)]
    return (left, above, corner)[distances.index(min(distances))]


def _filter(kind: int, line: bytes, prior: bytes, bpp: int) -> bytes:
    """The PNG encoder side of each filter, written from the specification byte by byte (types
    beyond 4 do not exist: their bytes stay as they are, for error tests)."""
    if kind > 4:
        return line
    out = bytearray()
    for i, value in enumerate(line):
        left = line[i - bpp] if i >= bpp else 0
        corner = prior[i - bpp] if i >= bpp else 0
        predictor = (0, left, prior[i], (left + prior[i]) // 2, _paeth(left, prior[i], corner))
        out.append((value - predictor[kind]) % 256)
    return bytes(out)


def _png(
    width: int,
    height: int,
    colour_type: int,
    depth: int,
    lines: list[bytes],
    filter_type: int = 0,
    extra: bytes = b"",
    interlace: int = 0,
) -> bytes:
    samples = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour_type]
    bpp = max(1, samples * depth // 8)
    raw = bytearray()
    prior = bytes(len(lines[0]))
    for line in lines:
        raw += bytes([filter_type]) + _filter(filter_type, line, prior, bpp)
        prior = line
    header = struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, interlace)
    compressed = zlib.compress(bytes(raw))
    # Two IDAT chunks: decoders must join them.
    half = len(compressed) // 2
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + extra
        + _chunk(b"IDAT", compressed[:half])
        + _chunk(b"IDAT", compressed[half:])
        + _chunk(b"IEND", b"")
    )


WIDTH, HEIGHT = 11, 4


def _lit(row: int, col: int) -> bool:
    return (row * 7 + col * 3) % 4 != 0


def _level(row: int, col: int) -> int:
    return 40 + (row * 11 + col * 13) % 200


def _pack_bits(bits: list[int]) -> bytes:
    padded = bits + [0] * (-len(bits) % 8)
    return bytes(
        int("".join(map(str, padded[start : start + 8])), 2) for start in range(0, len(padded), 8)
    )


def _pixels(sample: Callable[[int, int], tuple[int, ...]]) -> list[bytes]:
    return [
        bytes(value for col in range(WIDTH) for value in sample(row, col)) for row in range(HEIGHT)
    ]


def _grey(row: int, col: int) -> tuple[int, ...]:
    return (_level(row, col) if _lit(row, col) else 0,)


def _rgb(row: int, col: int) -> tuple[int, ...]:
    # Only one channel is non-zero, a different one from pixel to pixel.
    colour = [0, 0, 0]
    if _lit(row, col):
        colour[(row + col) % 3] = _level(row, col)
    return tuple(colour)


def _rgba(row: int, col: int) -> tuple[int, ...]:
    # Unlit pixels have colour but are fully transparent.
    return (*_rgb(row, col), 255) if _lit(row, col) else (9, 9, 9, 0)


def _grey_alpha(row: int, col: int) -> tuple[int, ...]:
    if _lit(row, col):
        return (_level(row, col), 128)
    return (0, 255) if col % 2 else (50, 0)


def _palette_index(row: int, col: int) -> tuple[int, ...]:
    # 0 black, 1 red, 2 white but transparent (tRNS), 3 green.
    return ((1 if col % 2 else 3) if _lit(row, col) else (2 if col % 2 else 0),)


_PALETTE = _chunk(b"PLTE", bytes([0, 0, 0, 255, 0, 0, 255, 255, 255, 0, 255, 0]))
_TRANSPARENCY = _chunk(b"tRNS", bytes([255, 255, 0]))
_BITS = [[1 if _lit(row, col) else 0 for col in range(WIDTH)] for row in range(HEIGHT)]

PNG_KINDS = {
    "grey8": (0, 8, _pixels(_grey), b""),
    "rgb8": (2, 8, _pixels(_rgb), b""),
    "rgba8": (6, 8, _pixels(_rgba), b""),
    "grey_alpha8": (4, 8, _pixels(_grey_alpha), b""),
    "palette8": (3, 8, _pixels(_palette_index), _PALETTE + _TRANSPARENCY),
    "grey1": (0, 1, [_pack_bits(row) for row in _BITS], b""),
    "palette1": (3, 1, [_pack_bits(row) for row in _BITS], _chunk(b"PLTE", bytes(3) + b"\xff" * 3)),
}


@pytest.mark.parametrize("filter_type", [0, 1, 2, 3, 4], ids=["none", "sub", "up", "avg", "paeth"])
@pytest.mark.parametrize("kind", sorted(PNG_KINDS))
def test_from_png_decodes_every_supported_kind_and_filter(kind: str, filter_type: int) -> None:
    colour_type, depth, lines, extra = PNG_KINDS[kind]
    data = _png(WIDTH, HEIGHT, colour_type, depth, lines, filter_type, extra)
    expected = [[_lit(row, col) for col in range(WIDTH)] for row in range(HEIGHT)]
    assert Mask.from_png(data).to_grid() == expected


def test_decode_png_rgb_resolves_palette_and_grey() -> None:
    palette = _png(2, 1, 3, 8, [b"\x01\x03"], extra=_PALETTE)
    grey = _png(2, 1, 0, 8, [b"\x07\x00"])
    assert (decode_png_rgb(palette), decode_png_rgb(grey)) == (
        (2, 1, b"\xff\x00\x00\x00\xff\x00"),
        (2, 1, b"\x07\x07\x07\x00\x00\x00"),
    )


def test_decode_png_rgb_drops_alpha() -> None:
    data = _png(1, 1, 6, 8, [b"\x01\x02\x03\x04"], filter_type=4)
    assert decode_png_rgb(data) == (1, 1, b"\x01\x02\x03")


_GOOD = _png(2, 1, 0, 8, [b"\x00\x01"])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GIF89a", "not a PNG"),
        (_GOOD[:-20], "truncated"),
        (_GOOD[:30] + b"\x00" + _GOOD[31:], "bad CRC"),
        (_png(2, 1, 0, 16, [b"\x00" * 4]), "bit depth 16"),
        (_png(4, 1, 0, 2, [b"\x00"]), "bit depth 2"),
        (_png(2, 1, 2, 1, [b"\x00"]), "bit depth 1 with colour type 2"),
        (_png(2, 1, 0, 8, [b"\x00\x01"], interlace=1), "interlaced"),
        (_png(2, 1, 3, 8, [b"\x00\x01"]), "PLTE"),
        (_png(2, 1, 3, 8, [b"\x00\x09"], extra=_PALETTE), "beyond the palette"),
        (_png(2, 1, 0, 8, [b"\x00\x01"], filter_type=5), "unknown filter type 5"),
        (_png(2, 2, 0, 8, [b"\x00\x01"]), "expected 6"),
    ],
    ids=[
        "signature",
        "truncated",
        "crc",
        "16-bit",
        "2-bit",
        "1-bit-rgb",
        "interlaced",
        "no-palette",
        "bad-index",
        "bad-filter",
        "short-data",
    ],
)
def test_from_png_rejects_unsupported_or_broken_files(data: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Mask.from_png(data)


def test_from_png_rejects_corrupt_image_data() -> None:
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    data = (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", b"not zlib")
        + _chunk(b"IEND", b"")
    )
    with pytest.raises(ValueError, match="corrupt PNG image data"):
        Mask.from_png(data)


# --- RGB helpers and overlay ----------------------------------------------------------------


def test_encode_png_rgb_round_trip() -> None:
    rgb = bytes(range(2 * 3 * 3))
    png = encode_png_rgb(3, 2, rgb)
    assert decode_png_rgb(png) == (3, 2, rgb)


def test_encode_png_rgb_checks_the_size() -> None:
    with pytest.raises(ValueError, match="bytes of RGB"):
        encode_png_rgb(2, 2, b"\x00" * 11)


def test_overlay_tints_only_masked_pixels() -> None:
    frame = encode_png_rgb(2, 1, bytes([100, 100, 100, 100, 100, 100]))
    tinted = overlay(frame, Mask.from_grid([[1, 0]]), color=(200, 0, 50), alpha=0.5)
    assert decode_png_rgb(tinted) == (2, 1, bytes([150, 50, 75, 100, 100, 100]))


def test_overlay_scales_a_smaller_mask_to_the_frame() -> None:
    frame = encode_png_rgb(4, 2, bytes(4 * 2 * 3))
    tinted = overlay(frame, Mask.from_grid([[1, 0]]), color=(255, 255, 255), alpha=1.0)
    _, _, rgb = decode_png_rgb(tinted)
    lit = [rgb[i * 3] == 255 for i in range(8)]
    assert lit == [True, True, False, False, True, True, False, False]


def test_overlay_rejects_alpha_outside_unit_range() -> None:
    with pytest.raises(ValueError, match="alpha"):
        overlay(encode_png_rgb(1, 1, b"\x00\x00\x00"), Mask.from_grid([[1]]), alpha=1.5)


# --- declared sizes are checked before allocating -------------------------------------------

# Kling's largest frame is 2160x2160 px; a mask of a 3840x2160 (4K) frame must still decode,
# and nothing much larger may be allocated for.
_BOMB_PEAK_BYTES = 8 * 2**20


def _refusal_peak(action: Callable[[], object], message: str) -> int:
    """Check that ``action`` raises ValueError matching ``message``; answer the peak memory it
    allocated meanwhile."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=message):
            action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_tiny_rle_declaring_a_huge_size_is_refused_before_allocating() -> None:
    # Six characters: one run of 10**8 pixels, 100 MB of mask (and as much to transpose).
    counts = "PXh[o2"  # pycocotools' rleToString of the runs [10**8]
    refused = "10000x10000 is 100000000 pixels, over the limit"
    assert _refusal_peak(lambda: Mask.from_rle([10000, 10000], counts), refused) < _BOMB_PEAK_BYTES


def test_a_4k_frame_mask_still_decodes() -> None:
    mask = Mask.from_rle([2160, 3840], [2160 * 3840])
    assert mask.count() == 0


@pytest.mark.parametrize("size", [[2161, 3841], [10000, 10000], [1, 10**12]])
def test_rle_sizes_beyond_the_limit_are_refused(size: list[int]) -> None:
    with pytest.raises(ValueError, match="over the limit"):
        Mask.from_rle(size, [size[0] * size[1]])


@pytest.mark.parametrize(
    "size", [[None, None], "ab", [1e400, 1], 5, [True, 1], [1.0, 2.0], [0, 5], [-100000, -100000]]
)
def test_rle_sizes_that_are_not_two_positive_integers_are_refused(size: object) -> None:
    with pytest.raises(ValueError, match="two positive integers"):
        Mask.from_rle(size, [1])  # type: ignore[arg-type]


def _zero_stream(length: int) -> bytes:
    compressor = zlib.compressobj(9)
    block = bytes(2**20)
    parts = [compressor.compress(block) for _ in range(length // len(block))]
    return b"".join(parts) + compressor.flush()


def test_a_png_that_inflates_past_its_header_is_refused_with_bounded_memory() -> None:
    # A 1x1 grey PNG whose image data inflates to 64 MB (the reported one reached 400 MB).
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    bomb = (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", _zero_stream(64 * 2**20))
        + _chunk(b"IEND", b"")
    )
    assert len(bomb) < 100_000
    refused = "inflates past the 2 bytes its header allows"
    assert _refusal_peak(lambda: Mask.from_png(bomb), refused) < _BOMB_PEAK_BYTES


def test_a_png_declaring_a_huge_size_is_refused_before_inflating() -> None:
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    data = (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b""))
        + _chunk(b"IEND", b"")
    )
    with pytest.raises(ValueError, match="100000x100000 is 10000000000 pixels, over the limit"):
        Mask.from_png(data)


def test_a_png_with_an_incomplete_stream_is_refused() -> None:
    header = struct.pack(">IIBBBBB", 2, 1, 8, 0, 0, 0, 0)
    stream = zlib.compress(b"\x00\x01\x01")[:-5]
    data = (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", stream)
        + _chunk(b"IEND", b"")
    )
    with pytest.raises(ValueError, match="incomplete"):
        Mask.from_png(data)
