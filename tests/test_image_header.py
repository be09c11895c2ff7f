"""The JPEG/PNG header reader on sizes at the edges of its fields."""

from __future__ import annotations

import struct

from kling_edit._image_header import read_image_header


def test_a_png_size_is_read_unsigned() -> None:
    # PNG sizes are 4-byte unsigned integers: 2**31 is a (huge) size, not a negative one.
    header = struct.pack(">IIBBBBB", 2**31, 4_000_000_000, 8, 0, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(header)) + b"IHDR" + header

    assert read_image_header(data) == ("png", 2_147_483_648, 4_000_000_000)
