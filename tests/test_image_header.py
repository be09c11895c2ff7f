"""The JPEG/PNG header reader at the edges of its fields, and what the image check says when it
cannot read a size."""

from __future__ import annotations

import struct

import pytest

from kling_edit import RequestValidationError
from kling_edit._image_header import read_image_header
from kling_edit._media import image_size

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_a_png_size_is_read_unsigned() -> None:
    # PNG sizes are 4-byte unsigned integers: 2**31 is a (huge) size, not a negative one.
    header = struct.pack(">IIBBBBB", 2**31, 4_000_000_000, 8, 0, 0, 0, 0)
    data = PNG_SIGNATURE + struct.pack(">I", len(header)) + b"IHDR" + header

    assert read_image_header(data) == ("png", 2_147_483_648, 4_000_000_000)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        # 23 bytes: one short of the signature, the IHDR chunk's length and type, and its size.
        (
            PNG_SIGNATURE + bytes(15),
            "images[0]: is a PNG cut short before its size (truncated)",
        ),
        (
            PNG_SIGNATURE + bytes(16),
            "images[0]: is a PNG whose size cannot be read (corrupt: no IHDR header)",
        ),
    ],
    ids=["23-bytes", "24-bytes-without-IHDR"],
)
def test_a_png_whose_size_cannot_be_read_is_refused_saying_why(data: bytes, message: str) -> None:
    with pytest.raises(RequestValidationError) as caught:
        image_size("images[0]", data)

    assert str(caught.value) == message
    assert caught.value.field == "images[0]"
