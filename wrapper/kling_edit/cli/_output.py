"""What the command line and the demo say: JSON forms, one-line descriptions, exit codes.

Nothing here imports click or rich, so `scripts/demo.py` can share it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs

from .._errors import (
    AccountError,
    APIConnectionError,
    APIError,
    AuthenticationError,
    ContentPolicyError,
    DownloadError,
    KlingEditError,
    NotFoundError,
    RateLimitError,
    RequestValidationError,
    ServerError,
    TaskFailedError,
    WaitTimeoutError,
)
from .._models import Session, Task
from .._selection_models import Preview, Selection


class ExitCode(enum.IntEnum):
    """The process exit codes, one per class of outcome (documented in `kling-edit --help`)."""

    OK = 0
    ERROR = 1
    USAGE = 2
    API = 3
    TASK_FAILED = 4
    TIMEOUT = 5
    INTERRUPTED = 130


# Fields that are transport details, not data: `raw` repeats the model, `http_response` is an
# object that cannot be serialised.
_HIDDEN_FIELDS = frozenset({"raw", "http_response"})

# Most specific first: RequestValidationError is also a ValueError, WaitTimeoutError a
# TimeoutError, so the order decides.
_EXIT_CODES: tuple[tuple[type[BaseException], ExitCode], ...] = (
    (RequestValidationError, ExitCode.USAGE),
    (TaskFailedError, ExitCode.TASK_FAILED),
    (WaitTimeoutError, ExitCode.TIMEOUT),
    (APIError, ExitCode.API),
    (APIConnectionError, ExitCode.API),
    (DownloadError, ExitCode.API),
)

_HINTS: tuple[tuple[type[APIError], str], ...] = (
    (
        AuthenticationError,
        "check COMETAPI_KEY (with --provider kling: KLING_API_KEY, or KLING_ACCESS_KEY and"
        " KLING_SECRET_KEY)",
    ),
    (AccountError, "check the account's balance and resource packs"),
    (
        NotFoundError,
        "check the session id: sessions last 24 hours, and belong to the key that opened them",
    ),
    (ContentPolicyError, "change the prompt or the images"),
    (RateLimitError, "retry in a while"),
    (ServerError, "the service is struggling; retry in a while"),
)


_TASK_NOT_FOUND = (
    "this account has no task with that id: check the id, and that COMETAPI_KEY is the key"
    " that created the task"
)


def _about_a_task(error: NotFoundError) -> bool:
    """Whether the missing thing is a task: only the task routes are GETs (the session routes
    are POSTs), and a lookup by external_task_id fails without any answer of its own."""
    if error.response is None:
        return True
    try:
        return error.response.request.method == "GET"
    except RuntimeError:  # a response built without its request
        return False


def to_jsonable(value: object) -> Any:
    """`value` as JSON-ready data: models through attrs.asdict without `raw` and `http_response`,
    datetimes as ISO 8601, paths as strings."""
    if attrs.has(type(value)):
        return attrs.asdict(
            value,  # type: ignore[arg-type]  # attrs.has() narrows to a type, not an instance
            filter=lambda field, _: field.name not in _HIDDEN_FIELDS,
            value_serializer=_serialise_leaf,
        )
    if isinstance(value, Mapping):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(item) for item in value]
    return _serialise_leaf(None, None, value)


def _serialise_leaf(instance: object, field: object, value: object) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def exit_code_for(error: BaseException) -> ExitCode:
    """The exit code for a failure: 2 bad input, 3 API/network, 4 task failed, 5 timeout."""
    for kind, code in _EXIT_CODES:
        if isinstance(error, kind):
            return code
    return ExitCode.ERROR


def error_line(error: KlingEditError) -> str:
    """One line for people: the message (with HTTP status, Kling code and request id when the
    service answered), a hint for what to do, and whether a failed create left a task behind."""
    parts = [str(error)]
    hint = (
        _TASK_NOT_FOUND
        if isinstance(error, NotFoundError) and _about_a_task(error)
        else next((text for kind, text in _HINTS if isinstance(error, kind)), None)
    )
    if hint:
        parts.append(hint)
    if error.task_created is None and error.external_task_id:
        parts.append(
            f"the task may have been created: look for external_task_id {error.external_task_id}"
        )
    return "; ".join(parts)


def error_record(error: BaseException, exit_code: int) -> dict[str, Any]:
    """The `--json` form of a failure: `{"error": {...}}`."""
    record: dict[str, Any] = {"type": type(error).__name__, "exit_code": int(exit_code)}
    if isinstance(error, KlingEditError):
        record.update(
            message=error.message,
            status_code=error.status_code,
            code=error.code,
            request_id=error.request_id,
        )
        if error.external_task_id:
            record.update(external_task_id=error.external_task_id, task_created=error.task_created)
        if isinstance(error, TaskFailedError | WaitTimeoutError):
            record["task"] = to_jsonable(error.task)
        if isinstance(error, WaitTimeoutError):
            record["task_id"] = error.task_id
    else:
        record["message"] = str(error)
    return {"error": record}


def describe_session(session: Session) -> str:
    """'session ID: 1280x720, 30 fps, 5 s, 150 frames' with whatever the service reported."""
    facts = []
    if session.width and session.height:
        facts.append(f"{session.width}x{session.height}")
    if session.fps:
        facts.append(f"{session.fps:g} fps")
    if session.duration is not None:
        facts.append(f"{session.duration:g} s")
    if session.total_frame is not None:
        facts.append(f"{session.total_frame} frames")
    return f"session {session.session_id}" + (f": {', '.join(facts)}" if facts else "")


def describe_selection(selection: Selection) -> str:
    """'frame 0: 1 object selected (object 1: 4321 px)'."""
    sizes = []
    for obj in selection.objects:
        try:
            sizes.append(f"object {obj.object_id}: {obj.mask().count()} px")
        except ValueError:  # a mask this client cannot decode is still a selected object
            sizes.append(f"object {obj.object_id}")
    count = len(selection.objects)
    noun = "object" if count == 1 else "objects"
    detail = f" ({', '.join(sizes)})" if sizes else ""
    return f"frame {selection.frame_index}: {count} {noun} selected{detail}"


def describe_task(task: Task) -> str:
    """'task ID: processing', with the failure reason or result count when there is one."""
    text = f"task {task.task_id}: {task.status}"
    if task.status_message:
        text += f" ({task.status_message})"
    if task.videos:
        text += f", {len(task.videos)} result video{'s' if len(task.videos) > 1 else ''}"
    return text


def describe_size(path: Path) -> str:
    """A file's size for people: '40.2 KB'."""
    size = path.stat().st_size
    if size < 1024:
        return f"{size} bytes"
    if size < 1024**2:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024**2:.1f} MB"


def describe_preview(preview: Preview) -> str:
    return "\n".join(
        f"{name}: {url or '-'}"
        for name, url in (
            ("preview video", preview.video_url),
            ("cover image", preview.cover_url),
            ("tracking masks", preview.tracking_url),
        )
    )


def describe_finished(task: Task) -> str:
    return "\n".join([describe_task(task), *(f"video: {video.url}" for video in task.videos)])
