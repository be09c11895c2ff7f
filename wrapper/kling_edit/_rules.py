"""The input rules of the API (shared/api-facts.md), checked before any request is sent.

Each check raises `RequestValidationError` naming the argument and the rule. The table-like
constants at the top are the whole of what the service documents; the functions below only
apply them.
"""

from __future__ import annotations

import math
import os
import re
import sys
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

import httpx

from ._errors import RequestValidationError

EDIT_MODES = ("addition", "swap", "removal")
# (fewest, most) reference images per edit mode; the seed spec only says "required for addition
# and swap", the counts come from Kling's reference.
IMAGE_COUNTS: Mapping[str, tuple[int, int]] = {
    "addition": (1, 2),
    "swap": (1, 1),
    "removal": (0, 0),
}
MODES = ("std", "pro")
MODEL_NAMES = ("kling-v1-6",)
DURATIONS = ("5", "10")
# Source-video length (ms) each output duration needs. Kling says 2-5 s and 7-10 s; CometAPI's
# page allows up to 5.5 s and 10.5 s. The client leans tolerant and uses CometAPI's bounds.
DURATION_SOURCE_MS: Mapping[str, tuple[int, int]] = {"5": (2000, 5500), "10": (7000, 10500)}


def _source_span(duration: str) -> str:
    low, high = DURATION_SOURCE_MS[duration]
    return f"{low / 1000:g}-{high / 1000:g} s"


#: The source-length bounds in words, the one wording every message and the CLI's --duration
#: help use: "5 needs a 2-5.5 s source video, 10 a 7-10.5 s one".
DURATION_SOURCE_RULE = f"5 needs a {_source_span('5')} source video, 10 a {_source_span('10')} one"
MAX_PROMPT_CHARS = 2500
MAX_POINTS_PER_CALL = 10
MAX_POINTS_PER_FRAME = 10  # counted across add calls (rule R11)
MAX_FRAMES_PER_SESSION = 10
VIDEO_FPS = (24.0, 30.0, 60.0)
VIDEO_FPS_TOLERANCE = 0.5  # NTSC rates (29.97, 23.976, 59.94) count as 30, 24 and 60
VIDEO_SIDE_PX = (720, 2160)
VIDEO_EXTENSIONS = (".mp4", ".mov")
IMAGE_MAX_BYTES = 10 * 1024 * 1024
IMAGE_MIN_SIDE_PX = 300
IMAGE_MAX_ASPECT = 2.5
PAGE_NUM_RANGE = (1, 1000)
PAGE_SIZE_RANGE = (1, 500)

MAX_ID_CHARS = 1024
MAX_URL_CHARS = 8192
MAX_RETRIES = 100

VIDEO_PLACEHOLDER = "<<<video_1>>>"
_HTTP_URL = re.compile(r"^(https?)://[^/\s?#\\]+", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x20\x7f]")
_IMAGE_PLACEHOLDER = re.compile(r"<<<image_(\d+)>>>")


class PromptWarning(UserWarning):
    """A prompt the service will accept but that probably does not say what was meant."""


def fail(field: str, message: str) -> RequestValidationError:
    """The error to raise for `field` breaking a rule (a helper so call sites read as rules)."""
    return RequestValidationError(field, message)


def given(value: object) -> object:
    """None for "": Kling's own examples send "" for an option they leave out (R-table: K)."""
    return None if value == "" else value


def require_str(field: str, value: object, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise fail(field, f"must be a string, not {type(value).__name__}")
    if not allow_empty and not value.strip():
        raise fail(field, "must not be empty")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise fail(field, "is not valid Unicode (it holds a lone surrogate)") from None
    return value


def check_id(field: str, value: object) -> str:
    """An id that travels in a URL path (task id, external task id)."""
    text = require_str(field, value)
    # "." and ".." would be resolved away as path segments and reach another route.
    if text.strip() in (".", ".."):
        raise fail(field, f"{text!r} is not an id")
    if len(text) > MAX_ID_CHARS:
        raise fail(field, f"must be at most {MAX_ID_CHARS} characters, got {len(text)}")
    return text


def check_seconds(field: str, value: object) -> float:
    """A positive, finite number of seconds."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise fail(field, f"must be a number of seconds, not {type(value).__name__}")
    try:
        seconds = float(value)
    except OverflowError:  # an int beyond float range
        seconds = math.inf
    if not 0 < seconds < math.inf:
        raise fail(field, f"must be a positive, finite number of seconds, got {value!r}")
    return seconds


def check_request_options(timeout: object, max_retries: object, headers: object) -> dict[str, str]:
    """Check per-call overrides; answer the extra headers as a plain dict."""
    if timeout is not None and not isinstance(timeout, httpx.Timeout):
        check_seconds("timeout", timeout)
    require_int("max_retries", max_retries, low=0, high=MAX_RETRIES)
    if not isinstance(headers, Mapping):
        raise fail("extra_headers", f"must be a mapping, not {type(headers).__name__}")
    checked = {}
    for name, content in headers.items():
        for part in (name, content):
            # Header bytes are ASCII on the wire; a newline would split the header.
            if not isinstance(part, str) or not part.isascii() or any(c in part for c in "\r\n\0"):
                raise fail("extra_headers", f"{name!r}: names and values must be ASCII text")
        checked[name] = content
    return checked


def require_int(field: str, value: object, *, low: int, high: int | None = None) -> int:
    # bool is an int subclass; True as a frame index is always a caller's mistake.
    if not isinstance(value, int) or isinstance(value, bool):
        raise fail(field, f"must be an integer, not {type(value).__name__}")
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise fail(field, f"must be {bound}, got {value}")
    return value


def require_choice(field: str, value: object, choices: Iterable[str]) -> str:
    allowed = tuple(choices)
    if not isinstance(value, str) or value not in allowed:
        raise fail(field, f"must be one of {', '.join(allowed)}; got {value!r}")
    return value


def check_http_url(field: str, value: object) -> str:
    """An absolute http(s) URL, its scheme lower-cased (the spec's pattern is ^https?://)."""
    url = require_str(field, value).strip()
    match = _HTTP_URL.match(url)
    if match is None or _CONTROL.search(url):
        raise fail(field, f"must be an http(s) URL without spaces, got {url[:80]!r}")
    if len(url) > MAX_URL_CHARS:
        raise fail(field, f"must be at most {MAX_URL_CHARS} characters, got {len(url)}")
    return match.group(1).lower() + url[match.end(1) :]


def check_video_url(value: object) -> str:
    url = check_http_url("video_url", value)
    path = re.split(r"[?#]", url, maxsplit=1)[0].lower()
    # A URL without a file extension (a signed download link, say) can still serve an mp4:
    # only a clearly different extension is refused.
    last = path.rsplit("/", 1)[-1]
    if "." in last and not last.endswith(VIDEO_EXTENSIONS):
        raise fail(
            "video_url",
            f"must point to an mp4 or mov file, got {last!r} (client-side check, rule R2)",
        )
    return url


def check_prompt(field: str, value: object, *, required: bool) -> str | None:
    if value is None and not required:
        return None
    prompt = require_str(field, value)
    if len(prompt) > MAX_PROMPT_CHARS:
        raise fail(field, f"must be at most {MAX_PROMPT_CHARS} characters, got {len(prompt)}")
    return prompt


def check_placeholders(prompt: str, image_count: int) -> None:
    # A substring test first: most prompts name no image, and the regex search alone costs more
    # than the rest of this check (every create runs it).
    matches = _IMAGE_PLACEHOLDER.finditer(prompt) if "<<<image_" in prompt else ()
    for match in matches:
        number = int(match.group(1))
        if number < 1 or number > image_count:
            raise fail(
                "prompt",
                f"refers to {match.group(0)} but the task has {image_count} image(s)"
                " (placeholders are <<<image_1>>> to <<<image_N>>>; client-side check, rule R25)",
            )
    if VIDEO_PLACEHOLDER not in prompt:
        warnings.warn(
            f"prompt does not mention the source video as {VIDEO_PLACEHOLDER}",
            PromptWarning,
            stacklevel=_caller_stacklevel(),
        )


def _caller_stacklevel() -> int:
    """The stacklevel that points a warning at the first frame outside this package.

    Python 3.11 has no `skip_file_prefixes`; without this the warning would name a line in
    `_tasks.py`, and the default filter would show it once per process instead of per call site.
    """
    package = os.path.dirname(__file__)
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1  # type: ignore[assignment]
    return level


def check_image_count(edit_mode: str, count: int) -> None:
    fewest, most = IMAGE_COUNTS[edit_mode]
    if fewest <= count <= most:
        return
    if most == 0:
        rule = "takes no images: omit images"
    elif fewest == most:
        rule = f"needs exactly {fewest} image"
    else:
        rule = f"needs {fewest} to {most} images"
    raise fail("images", f"edit_mode {edit_mode!r} {rule}; got {count}")


def check_duration(value: object) -> str | None:
    """Accept 5, 10, "5" or "10"; answer the string the API wants (it never takes a number)."""
    if value is None:
        return None
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or text not in DURATIONS:
        allowed = " or ".join(DURATIONS)
        raise fail("duration", f"must be {allowed} (seconds, a number or a string); got {value!r}")
    return text


def check_duration_fits(duration: str, original_duration_ms: int | None) -> None:
    if original_duration_ms is None:
        return
    low, high = DURATION_SOURCE_MS[duration]
    if not low <= original_duration_ms <= high:
        raise fail(
            "duration",
            f"{duration} does not fit: this session's video lasts"
            f" {original_duration_ms / 1000:g} s, and {DURATION_SOURCE_RULE}",
        )


def check_points(value: object) -> list[dict[str, float]]:
    """Normalize points given as (x, y) pairs, {"x", "y"} mappings or objects with .x/.y."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise fail("points", "must be a list of (x, y) pairs")
    points = [_point(index, item) for index, item in enumerate(value)]
    if not 1 <= len(points) <= MAX_POINTS_PER_CALL:
        raise fail("points", f"must hold 1 to {MAX_POINTS_PER_CALL} points, got {len(points)}")
    return points


def _point(index: int, item: Any) -> dict[str, float]:
    field = f"points[{index}]"
    if isinstance(item, Mapping):
        coords = (item.get("x"), item.get("y"))
    elif hasattr(item, "x") and hasattr(item, "y"):
        coords = (item.x, item.y)
    elif isinstance(item, tuple | list) and len(item) == 2:
        coords = (item[0], item[1])
    else:
        raise fail(field, "must be an (x, y) pair of relative coordinates")
    x, y = (_coordinate(f"{field}.{axis}", c) for axis, c in zip("xy", coords, strict=True))
    return {"x": x, "y": y}


def _coordinate(field: str, value: object) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise fail(field, f"must be a number, not {type(value).__name__}")
    if isinstance(value, int) and not 0 <= value <= 1:  # float() of a huge int overflows
        raise fail(field, f"must be a relative coordinate in [0, 1], got {value}")
    number = float(value)
    if not math.isfinite(number) or not 0.0 <= number <= 1.0:
        raise fail(field, f"must be a relative coordinate in [0, 1], got {value!r}")
    return number


def video_problems(
    fps: float | None, width: int | None, height: int | None, duration_ms: int | None
) -> list[str]:
    """Explain which reported properties of a source video break the documented limits."""
    problems = []
    if fps is not None and not any(
        math.isclose(fps, ok, abs_tol=VIDEO_FPS_TOLERANCE) for ok in VIDEO_FPS
    ):
        problems.append(f"{fps:g} fps (allowed: 24, 30 or 60)")
    low, high = VIDEO_SIDE_PX
    for name, side in (("width", width), ("height", height)):
        if side is not None and not low <= side <= high:
            problems.append(f"{name} {side} px (allowed: {low}-{high})")
    if duration_ms is not None and not any(
        a <= duration_ms <= b for a, b in DURATION_SOURCE_MS.values()
    ):
        spans = " or ".join(_source_span(duration) for duration in DURATIONS)
        problems.append(f"{duration_ms / 1000:g} s long (allowed: {spans})")
    return problems
