"""Images in: turn what a caller passes into the string the API takes, after the documented checks.

An image can be an http(s) URL (sent as is: the service fetches it), raw base64, a `data:` URI
(the prefix is stripped: the API wants raw base64), bytes, or a local file path. Everything that
is not a URL is decoded here and checked for format (jpg/png), size, side length and aspect
ratio, so a bad image fails before a paid task is created.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Sequence
from pathlib import Path

from ._image_header import is_jpeg, is_png, read_image_header
from ._rules import (
    IMAGE_MAX_ASPECT,
    IMAGE_MAX_BYTES,
    IMAGE_MIN_SIDE_PX,
    check_http_url,
    fail,
    require_str,
)
from ._steps import ImageInput

# Base64 text once whitespace is removed. Classification strips the whitespace first instead of
# allowing it inside the pattern: "A" + " " * 32000 + "!" made that pattern backtrack
# quadratically (seconds per call); this one is a single linear scan.
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")
_WHITESPACE = re.compile(r"\s+")
_DATA_URI = re.compile(r"^data:([\w.+/-]*)(;[^,]*)?,", re.IGNORECASE)
_DATA_URI_TYPES = ("image/png", "image/jpeg", "image/jpg")


def prepare_image(field: str, value: object) -> str:
    """Answer the `image` string to send for one caller-supplied image, or raise."""
    if isinstance(value, os.PathLike):
        return _encode(field, _read_file(field, Path(value)))
    if isinstance(value, bytes | bytearray | memoryview):
        return _encode(field, bytes(value))
    if not isinstance(value, str):
        raise fail(
            field, f"must be a URL, base64 string, bytes or file path, not {type(value).__name__}"
        )
    text = require_str(field, value).strip()
    if re.match(r"^https?://", text, re.IGNORECASE):
        return check_http_url(field, text)
    if text.lower().startswith("data:"):
        return _encode(field, _from_data_uri(field, text))
    if len(text) >= 64 and _BASE64.fullmatch(compact := _WHITESPACE.sub("", text)):
        return _encode(field, _from_base64(field, compact))
    try:
        path = Path(text).expanduser()
        is_file = path.is_file()
    except (OSError, RuntimeError):  # a name too long for a path, an unknown ~user
        is_file = False
    if is_file:
        return _encode(field, _read_file(field, path))
    raise fail(
        field,
        f"is neither an http(s) URL, raw base64 image data, nor an existing file: {text[:80]!r}",
    )


def prepare_images(images: Sequence[ImageInput], single_field: str | None = None) -> list[str]:
    """The `image` strings to send, in order. Errors name each image `images[i]`, or
    `single_field` for one image the caller passed as its own argument (swap's `image=`)."""
    if single_field is not None and len(images) == 1:
        return [prepare_image(single_field, images[0])]
    return [prepare_image(f"images[{index}]", image) for index, image in enumerate(images)]


def _read_file(field: str, path: Path) -> bytes:
    try:
        size = path.stat().st_size
    except OSError as error:
        raise fail(field, f"cannot read {str(path)!r}: {error.strerror}") from None
    except ValueError:  # a NUL byte in the path
        raise fail(field, f"is not a usable file path: {str(path)[:80]!r}") from None
    # Refuse before reading: a mistaken path to a huge file should not be loaded into memory.
    if size > IMAGE_MAX_BYTES:
        raise fail(field, f"{path.name} is {size / 2**20:.1f} MB; images may be at most 10 MB")
    try:
        return path.read_bytes()
    except OSError as error:  # a folder, a file without read permission
        raise fail(field, f"cannot read {str(path)!r}: {error.strerror}") from None


def _from_data_uri(field: str, text: str) -> bytes:
    match = _DATA_URI.match(text)
    media_type = (match.group(1) or "").lower() if match else ""
    if not match or media_type not in _DATA_URI_TYPES or ";base64" not in (match.group(2) or ""):
        raise fail(
            field,
            "is a data: URI the API cannot take; pass a png/jpeg data:...;base64 URI, raw"
            " base64, bytes, a file path or a URL",
        )
    return _from_base64(field, text[match.end() :])


def _from_base64(field: str, text: str) -> bytes:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise fail(field, "is not valid base64") from None


def _encode(field: str, data: bytes) -> str:
    check_image_bytes(field, data)
    return base64.b64encode(data).decode("ascii")


def check_image_bytes(field: str, data: bytes) -> tuple[str, int, int]:
    """Check an image against the API's limits; answer (format, width, height)."""
    if len(data) > IMAGE_MAX_BYTES:
        raise fail(field, f"is {len(data) / 2**20:.1f} MB; images may be at most 10 MB")
    kind, width, height = image_size(field, data)
    if min(width, height) < IMAGE_MIN_SIDE_PX:
        raise fail(field, f"is {width}x{height} px; each side must be at least {IMAGE_MIN_SIDE_PX}")
    if max(width, height) / min(width, height) > IMAGE_MAX_ASPECT:
        raise fail(
            field,
            f"is {width}x{height} px; the aspect ratio must be between 1:2.5 and 2.5:1",
        )
    return kind, width, height


def image_size(field: str, data: bytes) -> tuple[str, int, int]:
    """Read the format and pixel size from a PNG or JPEG header, without decoding the image."""
    header = read_image_header(data)
    if header is not None:
        return header
    if is_png(data):
        if len(data) < 24:
            raise fail(field, "is a PNG cut short before its size (truncated)")
        raise fail(field, "is a PNG whose size cannot be read (corrupt: no IHDR header)")
    if is_jpeg(data):
        raise fail(field, "is a JPEG whose size cannot be read (truncated or corrupt)")
    raise fail(field, "must be a JPG or PNG image")
