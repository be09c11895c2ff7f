"""Batch jobs: one edit per line of a JSONL file, parsed and checked with the client's own rules.

A line that the client would refuse before sending (a bad URL, 11 points on a frame, a swap
without its image, an unreadable local image...) becomes a `BadLine` naming its line number and
key; nothing of it is ever sent.
"""

from __future__ import annotations

import codecs
import json
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from attrs import frozen

from .. import _rules
from .._errors import RequestValidationError
from .._media import prepare_image

_FIELDS = frozenset(
    {
        "key",
        "video_url",
        "video_id",
        "selections",
        "edit_mode",
        "prompt",
        "images",
        "duration",
        "mode",
        "negative_prompt",
    }
)
# The key names the result file (DIR/<key>.mp4), so it must be a plain, portable file name.
_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")


@frozen
class Mark:
    """Points marked on one frame: `(frame_index, ((x, y), ...))`."""

    frame_index: int
    points: tuple[tuple[float, float], ...]


@frozen
class Job:
    """One edit of a batch, as checked from its JSONL line (`line` counts from 1)."""

    key: str
    line: int
    edit_mode: str
    prompt: str
    marks: tuple[Mark, ...]
    video_url: str | None = None
    video_id: str | None = None
    images: tuple[str, ...] = ()
    duration: str | None = None
    mode: str | None = None
    negative_prompt: str | None = None

    def to_json(self) -> str:
        """The job as the journal stores it (local image paths already made absolute)."""
        return json.dumps(
            {
                "key": self.key,
                "line": self.line,
                "edit_mode": self.edit_mode,
                "prompt": self.prompt,
                "selections": [
                    {"frame_index": m.frame_index, "points": [list(p) for p in m.points]}
                    for m in self.marks
                ],
                "video_url": self.video_url,
                "video_id": self.video_id,
                "images": list(self.images),
                "duration": self.duration,
                "mode": self.mode,
                "negative_prompt": self.negative_prompt,
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> Job:
        data = json.loads(text)
        marks = tuple(
            Mark(s["frame_index"], tuple((x, y) for x, y in s["points"]))
            for s in data.pop("selections")
        )
        return cls(marks=marks, images=tuple(data.pop("images")), **data)


@frozen
class BadLine:
    """A line that cannot run: its number (from 1), its key when it has one, and why."""

    line: int
    key: str | None
    reason: str

    def __str__(self) -> str:
        key = f" (key {self.key!r})" if self.key is not None else ""
        return f"line {self.line}{key}: {self.reason}"


def load_jobs(path: str | Path) -> tuple[list[Job], list[BadLine]]:
    """Parse and check every line of a JSONL file; answer the valid jobs and the bad lines.

    Blank lines are skipped. Relative image paths are read from the file's folder. A key used
    twice makes the later line bad.
    """
    source = Path(path)
    jobs: list[Job] = []
    bad: list[BadLine] = []
    seen: set[str] = set()
    try:
        handle = source.open("rb")
    except OSError as error:
        raise _rules.fail("path", f"the jobs file cannot be read ({error})") from None
    with handle:
        # Bytes, decoded line by line: one line that is not UTF-8 is a bad line, not a dead file.
        for number, raw in enumerate(handle, start=1):
            key: str | None = None
            try:
                data = _json_line(raw.removeprefix(codecs.BOM_UTF8) if number == 1 else raw)
                if data is None:
                    continue
                if not isinstance(data, dict):
                    raise _rules.fail("line", "must be one JSON object")
                raw_key = data.get("key")
                key = raw_key if isinstance(raw_key, str) else None
                job = parse_job(data, number, source.parent)
            except _Unreadable as error:
                bad.append(BadLine(number, None, str(error)))
                continue
            except RequestValidationError as error:
                bad.append(BadLine(number, key, str(error)))
                continue
            if job.key in seen:
                bad.append(BadLine(number, job.key, "key: is already used by an earlier line"))
                continue
            seen.add(job.key)
            jobs.append(job)
    return jobs, bad


class _Unreadable(Exception):
    """A line that is no JSON value: why, as the bad line says it."""


def _json_line(raw: bytes) -> object:
    """The line's JSON value; None for a blank line."""
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        raise _Unreadable("not UTF-8 text") from None
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise _Unreadable(f"not valid JSON ({error.msg})") from None
    except RecursionError:
        raise _Unreadable("not valid JSON (nested too deeply)") from None
    except ValueError as error:  # a number past Python's digit limit
        raise _Unreadable(f"not valid JSON ({error})") from None


def parse_job(data: Mapping[str, Any], line: int, base: Path) -> Job:
    """One job from its JSON object, checked as the client checks before sending."""
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        raise _rules.fail(unknown[0], f"is not a job field (known: {', '.join(sorted(_FIELDS))})")
    key = _rules.require_str("key", data.get("key"))
    if not _KEY.match(key):
        raise _rules.fail(
            "key", "must be 1-128 letters, digits, '.', '_' or '-', not starting with '.' or '-'"
        )
    video_url, video_id = _source(data)
    edit_mode = _rules.require_choice("edit_mode", data.get("edit_mode"), _rules.EDIT_MODES)
    prompt = _rules.check_prompt("prompt", data.get("prompt"), required=True)
    assert prompt is not None
    images = _images(data.get("images"), base)
    _rules.check_image_count(edit_mode, len(images))
    with warnings.catch_warnings():
        # A prompt without <<<video_1>>> is the caller's choice; tasks.create warns at run time.
        warnings.simplefilter("ignore", _rules.PromptWarning)
        _rules.check_placeholders(prompt, len(images))
    mode = data.get("mode")
    return Job(
        key=key,
        line=line,
        edit_mode=edit_mode,
        prompt=prompt,
        marks=_marks(data.get("selections")),
        video_url=video_url,
        video_id=video_id,
        images=images,
        duration=_rules.check_duration(data.get("duration")),
        mode=_rules.require_choice("mode", mode, _rules.MODES) if mode is not None else None,
        negative_prompt=_rules.check_prompt(
            "negative_prompt", data.get("negative_prompt"), required=False
        ),
    )


def _source(data: Mapping[str, Any]) -> tuple[str | None, str | None]:
    # An empty string counts as not given, as the API itself treats it.
    url = data.get("video_url") or None
    video_id = data.get("video_id") or None
    if (url is None) == (video_id is None):
        raise _rules.fail("video_url", "give exactly one of video_url or video_id")
    if url is not None:
        return _rules.check_video_url(url), None
    return None, _rules.check_id("video_id", video_id)


def _marks(value: object) -> tuple[Mark, ...]:
    if not isinstance(value, list) or not value:
        raise _rules.fail("selections", "must be a non-empty list of {frame_index, points}")
    points_per_frame: dict[int, int] = {}
    marks = []
    for index, item in enumerate(value):
        field = f"selections[{index}]"
        if not isinstance(item, dict):
            raise _rules.fail(field, "must be an object with frame_index and points")
        frame = _rules.require_int(f"{field}.frame_index", item.get("frame_index"), low=0)
        try:
            points = _rules.check_points(item.get("points"))
        except RequestValidationError as error:
            raise _rules.fail(f"{field}.{error.field}", error.message.split(": ", 1)[1]) from None
        points_per_frame[frame] = points_per_frame.get(frame, 0) + len(points)
        if points_per_frame[frame] > _rules.MAX_POINTS_PER_CALL:
            raise _rules.fail(
                field,
                f"frame {frame} would hold {points_per_frame[frame]} points"
                f" (at most {_rules.MAX_POINTS_PER_CALL} per frame)",
            )
        marks.append(Mark(frame, tuple((p["x"], p["y"]) for p in points)))
    if len(points_per_frame) > _rules.MAX_FRAMES_PER_SESSION:
        raise _rules.fail(
            "selections",
            f"marks {len(points_per_frame)} frames (at most {_rules.MAX_FRAMES_PER_SESSION})",
        )
    return tuple(marks)


def _images(value: object, base: Path) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _rules.fail("images", "must be a list of image URLs or file paths")
    images = []
    for index, item in enumerate(value):
        field = f"images[{index}]"
        text = _rules.require_str(field, item).strip()
        if not re.match(r"^https?://", text, re.IGNORECASE):
            path = Path(text).expanduser()
            text = str(path if path.is_absolute() else (base / path).resolve())
        prepare_image(field, text)  # the client's own checks: format, size, sides, ratio
        images.append(text)
    return tuple(images)
