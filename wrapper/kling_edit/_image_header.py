"""The JPEG/PNG header reader: an image's format and pixel size, read without decoding it.

The one reader shared by the client's image checks (`_media`) and the simulator's rules
(`testing/_rules`); nothing else lives here.
"""

from __future__ import annotations

import struct

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_START = b"\xff\xd8"
# JPEG start-of-frame markers carry the picture size; DHT (C4), JPG (C8) and DAC (CC) do not.
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def is_png(data: bytes) -> bool:
    """Does `data` start like a PNG (whether or not its size can be read)?"""
    return data.startswith(_PNG_SIGNATURE)


def is_jpeg(data: bytes) -> bool:
    """Does `data` start like a JPEG (whether or not its size can be read)?"""
    return data.startswith(_JPEG_START)


def read_image_header(data: bytes) -> tuple[str, int, int] | None:
    """`("png" or "jpeg", width, height)` from the header, or None when it cannot be read."""
    if data.startswith(_PNG_SIGNATURE) and data[12:16] == b"IHDR" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return "png", width, height
    if is_jpeg(data):
        size = _jpeg_size(data)
        if size is not None:
            return ("jpeg", *size)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    offset = 2
    while offset + 4 <= len(data):
        if data[offset] != 0xFF:
            return None
        marker = data[offset + 1]
        if marker == 0xFF:  # fill byte
            offset += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            offset += 2
            continue
        (length,) = struct.unpack(">H", data[offset + 2 : offset + 4])
        if marker in _JPEG_SOF and offset + 9 <= len(data):
            height, width = struct.unpack(">HH", data[offset + 5 : offset + 9])
            return width, height
        offset += 2 + length
    return None
