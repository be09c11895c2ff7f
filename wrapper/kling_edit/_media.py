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
import struct
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from ._errors import DownloadError
from ._rules import (
    IMAGE_MAX_ASPECT,
    IMAGE_MAX_BYTES,
    IMAGE_MIN_SIDE_PX,
    check_http_url,
    fail,
    require_int,
    require_str,
)

ImageInput = str | bytes | os.PathLike[str]

# Base64 text once whitespace is removed. Classification strips the whitespace first instead of
# allowing it inside the pattern: "A" + " " * 32000 + "!" made that pattern backtrack
# quadratically (seconds per call); this one is a single linear scan.
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")
_WHITESPACE = re.compile(r"\s+")
_DATA_URI = re.compile(r"^data:([\w.+/-]*)(;[^,]*)?,", re.IGNORECASE)
_DATA_URI_TYPES = ("image/png", "image/jpeg", "image/jpg")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers carry the picture size; DHT (C4), JPG (C8) and DAC (CC) do not.
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


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
    if data.startswith(_PNG_SIGNATURE):
        if len(data) < 24:
            raise fail(field, "is a PNG cut short before its size (truncated)")
        if data[12:16] != b"IHDR":
            raise fail(field, "is a PNG whose size cannot be read (corrupt: no IHDR header)")
        width, height = struct.unpack(">II", data[16:24])
        return "png", width, height
    if data.startswith(b"\xff\xd8"):
        size = _jpeg_size(data)
        if size is not None:
            return ("jpeg", *size)
        raise fail(field, "is a JPEG whose size cannot be read (truncated or corrupt)")
    raise fail(field, "must be a JPG or PNG image")


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


# ---------------------------------------------------------------------------------------------
# Results out

_EXPIRED_STATUSES = frozenset({403, 404, 410})
_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows would otherwise translate newlines


class DownloadTarget:
    """Where a download goes: streamed into a temporary file beside `path`, renamed on success.

    Used as a context manager around the chunk loop, so a failed or capped download never leaves
    a partial file under the final name (and removes its temporary file).
    """

    def __init__(
        self,
        dest: str | os.PathLike[str],
        default_name: str,
        max_bytes: int | None,
        on_progress: Callable[[int, int | None], object] | None = None,
    ) -> None:
        if not isinstance(dest, str | os.PathLike):
            raise fail("dest", f"must be a file or folder path, not {type(dest).__name__}")
        if "\0" in os.fspath(dest):  # pathlib's checks swallow it; os.open would fail late
            raise fail("dest", "must not contain a NUL byte")
        if max_bytes is not None:
            require_int("max_bytes", max_bytes, low=1)
        target = Path(dest).expanduser()
        self.path = target / default_name if target.is_dir() else target
        if not self.path.parent.is_dir():
            raise fail("dest", f"folder {str(self.path.parent)!r} does not exist")
        self.max_bytes = max_bytes
        self.on_progress = on_progress
        self.written = 0
        self.total: int | None = None
        self._handle: BinaryIO | None = None

    def check_response(self, status_code: int, headers: Mapping[str, str], url: str) -> None:
        """Refuse an error answer, or one that announces more than max_bytes, before writing."""
        if status_code in _EXPIRED_STATUSES:
            raise DownloadError(
                f"the result at {_short(url)} is gone (HTTP {status_code}): result files are"
                " deleted 30 days after generation, and signed links expire; fetch the task"
                " again for a fresh URL, or re-run the task if it is older than 30 days",
                status_code=status_code,
            )
        if not 200 <= status_code < 300:
            raise DownloadError(
                f"downloading {_short(url)} failed: HTTP {status_code}", status_code=status_code
            )
        announced = headers.get("content-length", "")
        self.total = int(announced) if announced.isdigit() else None
        if self.max_bytes is not None and self.total is not None and self.total > self.max_bytes:
            raise DownloadError(
                f"the result is {self.total} bytes, over max_bytes={self.max_bytes}",
                status_code=status_code,
            )

    def __enter__(self) -> DownloadTarget:
        # Not mkstemp: its files are 0600; os.open with 0o666 lets the umask decide, so the
        # result gets the permissions any other new file would.
        self._temp = self.path.with_name(f".{self.path.name}.{os.urandom(8).hex()}.part")
        fd = os.open(self._temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o666)
        self._handle = os.fdopen(fd, "wb")
        return self

    def write(self, chunk: bytes) -> None:
        assert self._handle is not None, "write() outside the with block"
        self.written += len(chunk)
        if self.max_bytes is not None and self.written > self.max_bytes:
            raise DownloadError(f"the result is larger than max_bytes={self.max_bytes}; stopped")
        self._handle.write(chunk)
        if self.on_progress is not None:
            self.on_progress(self.written, self.total)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._handle is not None
        self._handle.close()
        if kind is None:
            os.replace(self._temp, self.path)
        else:
            self._temp.unlink(missing_ok=True)


def _short(url: str) -> str:
    # Signed result URLs carry credentials in the query string: never echo it.
    return url.split("?", 1)[0]
