"""Reading answers: envelopes checked and parsed with the generated models, tasks and callbacks.

Nothing else lives here: each operation's own `parse` (in `_operations`) builds on these.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from kling_edit_api.types import Unset

from ._callbacks import normalize_callback
from ._errors import APIError, APIResponseValidationError, error_from_envelope
from ._models import Task, TaskVideo, seconds, timestamp


def _envelope_data(response: httpx.Response, envelope: Any) -> tuple[Any, Any]:
    """Check the status and `code`, then read the body with a generated envelope model."""
    request_id = response.headers.get("x-request-id")
    try:
        body = response.json()
    except ValueError:
        body = None
    if not response.is_success or not isinstance(body, dict) or body.get("code", 0) != 0:
        if response.is_success and not isinstance(body, dict):
            raise APIResponseValidationError(
                "the service answered with a body that is not a JSON envelope",
                status_code=response.status_code,
                code=None,
                request_id=request_id,
                response=response,
                body=response.text[:500],
            )
        raise error_from_envelope(
            response.status_code, body, response=response, request_id=request_id
        )
    try:
        parsed = envelope.from_dict(body)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise APIResponseValidationError(
            f"the service's answer does not match the spec ({type(error).__name__}: {error})",
            status_code=response.status_code,
            code=0,
            request_id=body.get("request_id") or request_id,
            response=response,
            body=body,
        ) from error
    return parsed.data, body.get("data")


def _value(value: Any) -> Any:
    """None for the generator's UNSET sentinel, else the value."""
    return None if isinstance(value, Unset) else value


def task_from_api(task: Any, raw: Any, response: httpx.Response | None) -> Task:
    """Build a Task from a generated `Task` model (or the create answer's `CreatedTask`)."""
    info, result = (
        _value(getattr(task, "task_info", None)),
        _value(getattr(task, "task_result", None)),
    )
    videos = tuple(
        TaskVideo(
            url=_value(video.url), id=_value(video.id), duration=seconds(_value(video.duration))
        )
        for video in (_value(result.videos) or [] if result is not None else [])
        if isinstance(_value(video.url), str)
    )
    task_id, status = _value(task.task_id), _value(task.task_status)
    if not isinstance(task_id, str) or not task_id:
        raise ValueError("the task has no task_id")
    return Task(
        task_id=task_id,
        status=status if isinstance(status, str) else "unknown",
        status_message=_value(getattr(task, "task_status_msg", None)) or None,
        external_task_id=_value(info.external_task_id) if info is not None else None,
        created_at=timestamp(_value(task.created_at)),
        updated_at=timestamp(_value(task.updated_at)),
        videos=videos,
        raw=raw if isinstance(raw, dict) else {},
        http_response=response,
    )


def _as_validation_error(response: httpx.Response, body: Any, error: Exception) -> APIError:
    return APIResponseValidationError(
        f"the service's answer cannot be read ({error})",
        status_code=response.status_code,
        code=0,
        request_id=response.headers.get("x-request-id"),
        response=response,
        body=body,
    )


def _parse_task(response: httpx.Response) -> Task:
    from kling_edit_api.models import TaskEnvelope

    data, raw = _envelope_data(response, TaskEnvelope)
    try:
        return task_from_api(data, raw, response)
    except ValueError as error:
        raise _as_validation_error(response, raw, error) from error


def _parse_task_list(response: httpx.Response) -> list[Task]:
    from kling_edit_api.models import TaskListEnvelope

    data, raw = _envelope_data(response, TaskListEnvelope)
    try:
        # The generated model iterates whatever `data` is: an empty object would read as [].
        if not isinstance(raw, list):
            raise ValueError("data is not a list of tasks")
        return [task_from_api(task, item, response) for task, item in zip(data, raw, strict=True)]
    except ValueError as error:
        raise _as_validation_error(response, raw, error) from error


def parse_callback(body: bytes | str | Mapping[str, Any]) -> Task:
    """Read the body of a callback POST (the task object the service sends) as a `Task`.

    Accepts the raw bytes or text of the request, or the already-decoded JSON object; an
    envelope (`{"code", "data"}`) around the task is unwrapped.
    """
    from kling_edit_api.models import Task as ApiTask

    if isinstance(body, bytes | str):
        try:
            body = json.loads(body)
        except ValueError as error:
            raise APIResponseValidationError(
                "callback body is not JSON", status_code=None, code=None, request_id=None
            ) from error
    if not isinstance(body, Mapping):
        raise APIResponseValidationError(
            "callback body is not a JSON object", status_code=None, code=None, request_id=None
        )
    data = body.get("data") if "code" in body and isinstance(body.get("data"), dict) else body
    data = normalize_callback(data) if isinstance(data, Mapping) else data  # either format
    try:
        return task_from_api(ApiTask.from_dict(data), data, None)  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise APIResponseValidationError(
            f"not a task callback body ({type(error).__name__}: {error})",
            status_code=None,
            code=None,
            request_id=None,
            body=body,
        ) from error
