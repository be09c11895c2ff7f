"""The service's input rules (api-facts), checked server-side as the real API checks them.

A JSON null counts as a missing optional field (``body.get``): the documents do not say how the
service treats nulls, and refusing them would fail clients the real service may accept.

Each check raises :class:`ApiError` with the envelope code the real service answers, so a client
that skips a rule meets the same error here as in production.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from .._image_header import read_image_header
from ._state import VideoInfo

# Envelope code -> HTTP status, for the codes the simulator sends.
HTTP_STATUS = {
    1000: 401,
    1001: 401,
    1002: 401,
    1003: 401,
    1004: 401,
    1201: 400,
    1202: 400,
    1203: 404,
    1302: 429,
    1303: 429,
    5000: 500,
    5001: 503,
}

MAX_POINTS_PER_CALL = 10
MAX_MARKED_FRAMES = 10
MAX_PROMPT_CHARS = 2500
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MIN_IMAGE_SIDE = 300
MAX_ASPECT_RATIO = 2.5
EDIT_MODES = ("addition", "swap", "removal")
# edit_mode -> (fewest, most) reference images.
IMAGE_COUNTS = {"addition": (1, 2), "swap": (1, 1), "removal": (0, 0)}
DURATION_RANGES_MS = {"5": (2000, 5500), "10": (7000, 10500)}
_FRAME_RATES = (24, 30, 60)
_PLACEHOLDER = re.compile(r"<<<(image|video)_(\d+)>>>")


class ApiError(Exception):
    """A request the service refuses: envelope ``code`` and a human ``message``."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def http_status(self) -> int:
        """The HTTP status that goes with :attr:`code`."""
        return HTTP_STATUS[self.code]


def invalid(message: str) -> ApiError:
    """A 1201 invalid-parameter error."""
    return ApiError(1201, message)


def required_str(body: Mapping[str, Any], name: str) -> str:
    """A non-empty string field, or 1201."""
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise invalid(f"{name} is required and must be a non-empty string")
    return value


def is_http_url(value: object) -> bool:
    """Whether ``value`` is an absolute http(s) URL."""
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. "http://[": an unterminated IPv6 host
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def check_video_url(url: str) -> None:
    """init-selection takes http(s) URLs of mp4 or mov files."""
    if not is_http_url(url) or not urlsplit(url).path.lower().endswith((".mp4", ".mov")):
        raise invalid("video_url must be an http(s) URL of an .mp4 or .mov file")


def video_problems(info: VideoInfo) -> list[str]:
    """Why the service would reject this source video (empty when it is acceptable)."""
    problems = []
    if not any(abs(info.fps - rate) < 0.1 for rate in _FRAME_RATES):
        problems.append(f"frame rate {info.fps} is not 24, 30 or 60 fps")
    for side, pixels in (("width", info.width), ("height", info.height)):
        if not 720 <= pixels <= 2160:
            problems.append(f"{side} {pixels} px is outside 720-2160 px")
    if not any(low <= info.duration_ms <= high for low, high in DURATION_RANGES_MS.values()):
        problems.append(f"duration {info.duration_ms} ms is outside 2-5.5 s and 7-10.5 s")
    return problems


def parse_frame_index(value: object, total_frame: int) -> int:
    """A 0-based frame index below ``total_frame``."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < total_frame:
        raise invalid(f"frame_index must be an integer in [0, {total_frame}) (0-based)")
    return value


def _unit_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1


def parse_points(value: object) -> list[tuple[float, float]]:
    """1 to 10 ``{x, y}`` objects with relative coordinates in [0, 1]."""
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_POINTS_PER_CALL:
        raise invalid(f"points must be a list of 1 to {MAX_POINTS_PER_CALL} {{x, y}} objects")
    points = []
    for point in value:
        if not (
            isinstance(point, dict)
            and _unit_number(point.get("x"))
            and _unit_number(point.get("y"))
        ):
            raise invalid(f"each point needs numbers x and y within [0, 1], got {point!r}")
        points.append((float(point["x"]), float(point["y"])))
    return points


def check_create_body(body: Mapping[str, Any]) -> None:
    """Every create-task rule that does not depend on the session."""
    required_str(body, "session_id")
    mode = body.get("edit_mode")
    if mode not in EDIT_MODES:
        raise invalid(f"edit_mode must be one of {', '.join(EDIT_MODES)}")
    images = _check_images(mode, body.get("image_list"))
    prompt = required_str(body, "prompt")
    for name in ("prompt", "negative_prompt"):
        text = body.get(name)
        if text is not None and (not isinstance(text, str) or len(text) > MAX_PROMPT_CHARS):
            raise invalid(f"{name} must be a string of at most {MAX_PROMPT_CHARS} characters")
    for kind, number in _PLACEHOLDER.findall(prompt):
        limit = images if kind == "image" else 1
        if not 1 <= int(number) <= limit:
            raise invalid(f"prompt refers to <<<{kind}_{number}>>> but there are only {limit}")
    _check_choice(body, "model_name", ("kling-v1-6",))
    _check_choice(body, "mode", ("std", "pro"))
    duration = body.get("duration")
    if duration is not None and (
        not isinstance(duration, str) or duration not in DURATION_RANGES_MS
    ):
        # Also catches numbers: 5 != "5", and the service wants the string.
        raise invalid('duration must be the string "5" or "10"')
    callback = body.get("callback_url")
    if callback is not None and not is_http_url(callback):
        raise invalid("callback_url must be an http(s) URL")
    external = body.get("external_task_id")
    if external is not None and (not isinstance(external, str) or not external):
        raise invalid("external_task_id must be a non-empty string")


def check_duration_fits(body: Mapping[str, Any], original_duration_ms: int) -> None:
    """``duration`` "5" needs a 2-5.5 s source video, "10" a 7-10.5 s one."""
    duration = body.get("duration") or "5"
    low, high = DURATION_RANGES_MS[duration]
    if not low <= original_duration_ms <= high:
        raise invalid(
            f'duration "{duration}" needs a source video of {low / 1000:g}-{high / 1000:g} s, '
            f"this one lasts {original_duration_ms / 1000:g} s"
        )


def _check_choice(body: Mapping[str, Any], name: str, choices: tuple[str, ...]) -> None:
    value = body.get(name)
    if value is not None and value not in choices:
        raise invalid(f"{name} must be one of {', '.join(choices)}")


def _check_images(mode: str, image_list: object) -> int:
    fewest, most = IMAGE_COUNTS[mode]
    if not most:
        if image_list is not None:
            raise invalid("image_list must be omitted for edit_mode removal")
        return 0
    if not isinstance(image_list, list) or not fewest <= len(image_list) <= most:
        wanted = str(most) if fewest == most else f"{fewest} to {most}"
        raise invalid(f"edit_mode {mode} needs image_list with {wanted} item(s)")
    for item in image_list:
        image = item.get("image") if isinstance(item, dict) else None
        problem = image_problem(image)
        if problem:
            raise invalid(f"image_list: {problem}")
    return len(image_list)


def image_problem(image: object) -> str | None:
    """Why ``image`` is no valid reference image (an http(s) URL or raw base64 JPG/PNG)."""
    if not isinstance(image, str) or not image:
        return "each item needs an image string"
    if is_http_url(image):
        return None
    if image.startswith("data:"):
        return "send raw base64 without a data: prefix"
    try:
        data = base64.b64decode(image, validate=True)
    except (binascii.Error, ValueError):
        return "an image must be an http(s) URL or raw base64"
    if len(data) > MAX_IMAGE_BYTES:
        return f"an image may be at most {MAX_IMAGE_BYTES // (1024 * 1024)} MB"
    header = read_image_header(data)
    if header is None:
        return "an image must be a JPG or PNG file"
    _, width, height = header
    if min(width, height) < MIN_IMAGE_SIDE:
        return f"each side must be at least {MIN_IMAGE_SIDE} px, got {width}x{height}"
    if not 1 / MAX_ASPECT_RATIO <= width / height <= MAX_ASPECT_RATIO:
        return f"the aspect ratio must be between 1:2.5 and 2.5:1, got {width}x{height}"
    return None
