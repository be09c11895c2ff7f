"""The service's input rules, checked server-side as the real API checks them: `RULES` lists
every one with its id in docs/api-reference.md's rule table and its source, and each check
raises through `broken(rule_id, ...)`; the HTTP status of each code is `HTTP_STATUS`.

A JSON null counts as a missing optional field (``body.get``): the documents do not say how the
service treats nulls, and refusing them would fail clients the real service may accept.

Each check raises :class:`ApiError` with the envelope code the real service answers, so a client
that skips a rule meets the same error here as in production.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import attrs

from .._image_header import read_image_header
from ._state import VideoInfo

# Envelope code -> HTTP status: Kling's error-code table (K), kept here apart from the wrapper's
# ERROR_CODES so the simulator stays a second opinion; tests compare both with the docs.
HTTP_STATUS = {
    1000: 401,
    1001: 401,
    1002: 401,
    1003: 401,
    1004: 401,
    1100: 429,
    1101: 429,
    1102: 429,
    1103: 403,
    1200: 400,
    1201: 400,
    1202: 404,
    1203: 404,
    1300: 400,
    1301: 400,
    1302: 429,
    1303: 429,
    1304: 429,
    5000: 500,
    5001: 503,
    5002: 504,
}


@attrs.frozen
class Rule:
    """One rule the simulator enforces: its source ("K", "C" or "K, C"), the code it answers."""

    source: str
    code: int
    summary: str


# Every rule the simulator enforces, by its id in docs/api-reference.md's rule table. Only
# rules a public document gives (K: Kling, C: CometAPI) belong here; client-side-only rules
# (placeholders, prompt warnings, the http(s) scheme of video_url) are the wrapper's alone.
RULES: Mapping[str, Rule] = {
    "R1": Rule("K", 1201, "init: exactly one of video_url, video_id; empty string = not given"),
    "R3": Rule("K, C", 0, "init: mp4/mov of 2-5.5 s or 7-10.5 s, else status non-zero"),
    "R4": Rule("K", 0, "init: each side 720-2160 px, else status non-zero"),
    "R5": Rule("K", 0, "init: 24, 30 or 60 fps, else status non-zero"),
    "R7": Rule("K", 1203, "a session lasts 24 h and belongs to its account"),
    "R8": Rule("K", 1201, "frame_index an integer in [0, total_frame)"),
    "R9": Rule("K", 1201, "one frame per call"),
    "R10": Rule("K", 1201, "1-10 points, x and y in [0, 1]"),
    "R11": Rule("K", 1201, "at most 10 points on one frame across add calls"),
    "R12": Rule("K", 1201, "at most 10 marked frames per session"),
    "R13": Rule("K", 1201, "delete takes points added before on that frame"),
    "R14": Rule("K, C", 1201, "session_id, edit_mode, prompt required; edit_mode known"),
    "R15": Rule("K, C", 1201, "addition 1-2 images, swap 1, removal none ([] or omitted)"),
    "R16": Rule("K", 1201, "images: http(s) URL or raw base64 jpg/png, 10 MB, 300 px, 1:2.5"),
    "R17": Rule("K", 1201, "prompt and negative_prompt at most 2500 characters"),
    "R18": Rule("K, C", 1201, "mode std or pro"),
    "R19": Rule("K, C", 1201, 'duration "5" or "10"'),
    "R20": Rule("K, C", 1201, "the duration fits the source video"),
    "R21": Rule("C", 1201, "model_name kling-v1-6"),
    "R22": Rule("K", 1201, "callback_url a URL when given; empty string = none"),
    "R23": Rule("K", 1201, "external_task_id a string; empty string = none"),
    "R24": Rule("K", 1201, "watermark_info {enabled: bool}"),
    "R27": Rule("K", 1201, "pageNum 1..1000, pageSize 1..500"),
    "R28": Rule("K", 1303, "running tasks over the concurrency limit"),
    "R29": Rule("K", 1001, "Authorization required (1001 missing, 1002 invalid)"),
    "R30": Rule("K", 1202, "unknown route or method 1202, unknown task 1203"),
}

# R10/R11: per call and, across add calls, per frame.
MAX_POINTS_PER_FRAME = 10
MAX_MARKED_FRAMES = 10
MAX_PROMPT_CHARS = 2500
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MIN_IMAGE_SIDE = 300
MAX_ASPECT_RATIO = 2.5
EDIT_MODES = ("addition", "swap", "removal")
# edit_mode -> (fewest, most) reference images.
IMAGE_COUNTS = {"addition": (1, 2), "swap": (1, 1), "removal": (0, 0)}
DURATION_RANGES_MS = {"5": (2000, 5500), "10": (7000, 10500)}
FRAME_RATES = (24, 30, 60)
# NTSC rates (29.97, 23.976, 59.94) are the documented rates; 25 or 50 fps is not.
FPS_TOLERANCE = 0.5
VIDEO_SIDES_PX = (720, 2160)
PAGE_NUM_MAX = 1000
PAGE_SIZE_MAX = 500


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
    """A 1201 invalid-parameter error for a body that is not even a JSON object."""
    return ApiError(1201, message)


def broken(rule: str, message: str, *, code: int | None = None) -> ApiError:
    """The error for breaking ``rule`` (an id of :data:`RULES`): the rule's code, or ``code``
    where one rule answers two (R30: 1202 for a route, 1203 for a task)."""
    return ApiError(RULES[rule].code if code is None else code, message)


def given(body: Mapping[str, Any], name: str) -> Any:
    """A field's value, None when missing, null or "" (Kling's examples send "" for "none")."""
    value = body.get(name)
    return None if value == "" else value


def required_str(body: Mapping[str, Any], name: str, rule: str = "R14") -> str:
    """A non-empty string field, or the error of ``rule``."""
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise broken(rule, f"{name} is required and must be a non-empty string")
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


def video_source(body: Mapping[str, Any]) -> tuple[str, str]:
    """R1: ``(field name, value)`` of exactly one of ``video_url`` and ``video_id``.

    The file's format and link shape are not checked here: the service judges the file itself
    (R3, a non-zero ``status``), and signed links need not end in .mp4/.mov.
    """
    url, video_id = given(body, "video_url"), given(body, "video_id")
    if (url is None) == (video_id is None):
        raise broken("R1", "send exactly one of video_url and video_id")
    name = "video_url" if url is not None else "video_id"
    source = body[name]
    if not isinstance(source, str):
        raise broken("R1", f"{name} must be a string")
    return name, source


def video_problems(info: VideoInfo) -> list[str]:
    """Why the service would reject this source video (R3-R5; empty when it is acceptable)."""
    problems = []
    if not any(abs(info.fps - rate) <= FPS_TOLERANCE for rate in FRAME_RATES):
        problems.append(f"frame rate {info.fps} is not 24, 30 or 60 fps")
    for side, pixels in (("width", info.width), ("height", info.height)):
        if not VIDEO_SIDES_PX[0] <= pixels <= VIDEO_SIDES_PX[1]:
            problems.append(f"{side} {pixels} px is outside 720-2160 px")
    if not any(low <= info.duration_ms <= high for low, high in DURATION_RANGES_MS.values()):
        problems.append(f"duration {info.duration_ms} ms is outside 2-5.5 s and 7-10.5 s")
    return problems


def parse_frame_index(value: object, total_frame: int) -> int:
    """A 0-based frame index below ``total_frame`` (R8; an integer, so one frame: R9)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < total_frame:
        raise broken("R8", f"frame_index must be an integer in [0, {total_frame}) (0-based)")
    return value


def _unit_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1


def parse_points(value: object) -> list[tuple[float, float]]:
    """R10: 1 to 10 ``{x, y}`` objects with relative coordinates in [0, 1]."""
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_POINTS_PER_FRAME:
        most = MAX_POINTS_PER_FRAME
        raise broken("R10", f"points must be a list of 1 to {most} {{x, y}} objects")
    points = []
    for point in value:
        if not (
            isinstance(point, dict)
            and _unit_number(point.get("x"))
            and _unit_number(point.get("y"))
        ):
            raise broken("R10", f"each point needs numbers x and y within [0, 1], got {point!r}")
        points.append((float(point["x"]), float(point["y"])))
    return points


def check_create_body(body: Mapping[str, Any]) -> None:
    """Every create-task rule that does not depend on the session (R14-R24 but R20, R23's
    uniqueness)."""
    required_str(body, "session_id")
    mode = body.get("edit_mode")
    if mode not in EDIT_MODES:
        raise broken("R14", f"edit_mode must be one of {', '.join(EDIT_MODES)}")
    _check_images(mode, body.get("image_list"))
    required_str(body, "prompt")
    for name in ("prompt", "negative_prompt"):
        text = given(body, name)
        if text is not None and (not isinstance(text, str) or len(text) > MAX_PROMPT_CHARS):
            raise broken("R17", f"{name} must be a string of at most {MAX_PROMPT_CHARS} characters")
    _check_choice(body, "R21", "model_name", ("kling-v1-6",))
    _check_choice(body, "R18", "mode", ("std", "pro"))
    # Also catches numbers: 5 != "5", and the service wants the string.
    _check_choice(body, "R19", "duration", tuple(DURATION_RANGES_MS))
    callback = given(body, "callback_url")
    if callback is not None and not is_http_url(callback):
        raise broken("R22", "callback_url must be an http(s) URL")
    external = given(body, "external_task_id")
    if external is not None and not isinstance(external, str):
        raise broken("R23", "external_task_id must be a string")
    watermark = body.get("watermark_info")
    if watermark is not None and not (
        isinstance(watermark, dict) and isinstance(watermark.get("enabled", False), bool)
    ):
        raise broken("R24", "watermark_info must be an object {enabled: true | false}")


def check_duration_fits(body: Mapping[str, Any], original_duration_ms: int) -> None:
    """R20: ``duration`` "5" needs a 2-5.5 s source video, "10" a 7-10.5 s one."""
    duration = given(body, "duration") or "5"
    low, high = DURATION_RANGES_MS[duration]
    if not low <= original_duration_ms <= high:
        raise broken(
            "R20",
            f'duration "{duration}" needs a source video of {low / 1000:g}-{high / 1000:g} s, '
            f"this one lasts {original_duration_ms / 1000:g} s",
        )


def _check_choice(body: Mapping[str, Any], rule: str, name: str, choices: tuple[str, ...]) -> None:
    value = body.get(name)
    if value is not None and value not in choices:
        raise broken(rule, f"{name} must be one of {', '.join(choices)}")


def _check_images(mode: str, image_list: object) -> int:
    fewest, most = IMAGE_COUNTS[mode]
    if not most:
        if image_list not in (None, []):
            raise broken("R15", "image_list must be omitted or [] for edit_mode removal")
        return 0
    if not isinstance(image_list, list) or not fewest <= len(image_list) <= most:
        wanted = str(most) if fewest == most else f"{fewest} to {most}"
        raise broken("R15", f"edit_mode {mode} needs image_list with {wanted} item(s)")
    for item in image_list:
        image = item.get("image") if isinstance(item, dict) else None
        problem = image_problem(image)
        if problem:
            raise broken("R16", f"image_list: {problem}")
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
