"""An image given as a string: base64 at its shortest, a data: URI broken over lines, base64
that does not decode, and a string that is none of the accepted forms, each word for word.
"""

from __future__ import annotations

import base64
import struct
import zlib

import pytest

from kling_edit import RequestValidationError
from kling_edit._media import prepare_image


def _png_head(width: int, height: int, size: int) -> bytes:
    """The first `size` bytes of a PNG: signature and IHDR chunk, padded with zeros."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = struct.pack(">I", 13) + b"IHDR" + header
    head = b"\x89PNG\r\n\x1a\n" + chunk + struct.pack(">I", zlib.crc32(chunk[4:]))
    return head + bytes(size - len(head))


def test_base64_of_64_characters_is_read_as_an_image() -> None:
    text = base64.b64encode(_png_head(400, 400, 48)).decode()
    assert len(text) == 64

    assert prepare_image("image", text) == text


def test_a_data_uri_may_be_broken_over_lines() -> None:
    encoded = base64.b64encode(_png_head(400, 400, 60)).decode()

    sent = prepare_image("image", f"data:image/png;base64,{encoded[:40]}\n{encoded[40:]}")

    assert sent == encoded


def test_base64_that_does_not_decode_is_refused() -> None:
    with pytest.raises(RequestValidationError) as caught:
        prepare_image("image", "A" * 65)  # the alphabet, but no whole number of bytes

    assert str(caught.value) == "image: is not valid base64"


def test_a_string_of_no_accepted_form_is_quoted_up_to_80_characters() -> None:
    text = "no-such-image_" + "z" * 100

    with pytest.raises(RequestValidationError) as caught:
        prepare_image("image", text)

    assert str(caught.value) == (
        "image: is neither an http(s) URL, raw base64 image data, nor an existing file:"
        f" {text[:80]!r}"
    )
