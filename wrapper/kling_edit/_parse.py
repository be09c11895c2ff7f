"""Reading answers: the envelope checked, parsed into its generated type, and the user's model
built from those typed values with every field checked (`_fields`); cost, tasks and callbacks.

Nothing else lives here (the selection routes' models are built in `_parse_sessions`). Any
answer, however malformed, ends in a `KlingEditError`: the JSON is parsed once, its `code`
decides success, and whatever the generated `from_dict` or a field check refuses becomes an
`APIResponseValidationError` naming what was wrong.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, Self, TypeVar

import httpx

from kling_edit_api.types import UNSET, Unset

from ._errors import APIResponseValidationError, error_from_envelope
from ._fields import (
    FieldError,
    absent,
    decimal_text,
    flag,
    millis,
    required_text,
    seconds,
    text,
)
from ._models import Cost, Task, TaskVideo

if TYPE_CHECKING:
    from kling_edit_api.models.created_task import CreatedTask
    from kling_edit_api.models.final_balance_deduction import FinalBalanceDeduction
    from kling_edit_api.models.task import Task as ApiTask
    from kling_edit_api.models.task_envelope import TaskEnvelope
    from kling_edit_api.models.task_list_envelope import TaskListEnvelope
    from kling_edit_api.models.task_task_result import TaskTaskResult


class FromDict(Protocol):
    """What every generated model offers: built from its JSON object."""

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any], /) -> Self: ...


E = TypeVar("E", bound=FromDict)
R = TypeVar("R")
# What the generated `from_dict` raises when the JSON does not have the spec's shape.
_SHAPE_ERRORS = (KeyError, TypeError, ValueError, AttributeError)


def _invalid(
    message: str, response: httpx.Response | None, body: Any, code: int | None = 0
) -> APIResponseValidationError:
    if response is None:  # a callback: no exchange to describe
        return APIResponseValidationError(
            message, status_code=None, code=None, request_id=None, body=body
        )
    found = body.get("request_id") if isinstance(body, dict) else None
    return APIResponseValidationError(
        message,
        status_code=response.status_code,
        code=code,
        request_id=found if isinstance(found, str) else response.headers.get("x-request-id"),
        response=response,
        body=body,
    )


def _envelope(response: httpx.Response) -> dict[str, Any]:
    """The success envelope as JSON, parsed once; any failure raised as its error class."""
    try:
        body = json.loads(response.content)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than Python recurses
        body = None
    if not 200 <= response.status_code < 300:
        raise error_from_envelope(
            response.status_code,
            body,
            response=response,
            request_id=response.headers.get("x-request-id"),
        )
    if not isinstance(body, dict):
        raise _invalid(
            "the service answered with a body that is not a JSON envelope",
            response,
            response.text[:500] if body is None else body,
            code=None,
        )
    code = body.get("code")
    if type(code) is not int:  # JSON's integers are exactly int; true and false are bool
        raise _invalid(str(FieldError("", "code", "an integer", code)), response, body, code=None)
    if code != 0:
        raise error_from_envelope(
            response.status_code,
            body,
            response=response,
            request_id=response.headers.get("x-request-id"),
        )
    return body


def read_answer(
    response: httpx.Response,
    envelope: type[E],
    build: Callable[[E, Any, httpx.Response], R],
) -> R:
    """Parse `response` into its generated `envelope` type, then `build` the user's model from
    it (the typed envelope, the raw `data`, the response)."""
    body = _envelope(response)
    try:
        parsed = envelope.from_dict(body)
    except _SHAPE_ERRORS as error:
        raise _invalid(
            f"the service's answer does not match the spec ({type(error).__name__}: {error})",
            response,
            body,
        ) from error
    try:
        return build(parsed, body.get("data"), response)
    except FieldError as error:
        raise _invalid(str(error), response, body) from None


def cost_from_api(units: object, balance: FinalBalanceDeduction | Unset, at: str) -> Cost | None:
    quota: object = None
    list_price: object = None
    if not isinstance(balance, Unset):  # not `if balance`: Unset's __bool__ is a Python call
        quota, list_price = balance.quota, balance.list_price
    if absent(units) and absent(quota) and absent(list_price):
        return None
    return Cost(
        units=decimal_text(units, at, "final_unit_deduction"),
        quota=decimal_text(quota, at, "final_balance_deduction.quota"),
        list_price=decimal_text(list_price, at, "final_balance_deduction.list_price"),
    )


def task_from_api(
    task: ApiTask, raw: Any, response: httpx.Response | None, at: str = "data"
) -> Task:
    """Build a Task from a generated `Task`."""
    return _task(
        task,
        (task.task_status_msg, task.task_result),
        (task.final_unit_deduction, task.final_balance_deduction),
        raw,
        response,
        at,
    )


def created_task_from_api(task: CreatedTask, raw: Any, response: httpx.Response) -> Task:
    """Build a Task from the create answer's `CreatedTask` (no result, message or cost yet)."""
    return _task(task, (UNSET, UNSET), (UNSET, UNSET), raw, response, "data")


def _task(
    task: ApiTask | CreatedTask,
    outcome: tuple[str | Unset, TaskTaskResult | Unset],
    cost: tuple[str | Unset, FinalBalanceDeduction | Unset],
    raw: Any,
    response: httpx.Response | None,
    at: str,
) -> Task:
    message, result = outcome
    videos: list[TaskVideo] = []
    for index, video in enumerate((result.videos or ()) if result else ()):
        where = f"{at}.task_result.videos[{index}]"
        url = text(video.url, where, "url")
        if url is not None:  # a video without a URL yet is not a result
            videos.append(
                TaskVideo(
                    url=url,
                    id=text(video.id, where, "id"),
                    duration=seconds(video.duration),
                    session_id=text(video.session_id, where, "session_id"),
                    watermark_url=text(video.watermark_url, where, "watermark_url"),
                )
            )
    info, watermark = task.task_info, task.watermark_info
    return Task(
        task_id=required_text(task.task_id, at, "task_id"),
        status=required_text(task.task_status, at, "task_status"),
        status_message=text(message, at, "task_status_msg") or None,
        external_task_id=text(
            info.external_task_id if info else None, at, "task_info.external_task_id"
        ),
        created_at=millis(task.created_at, at, "created_at"),
        updated_at=millis(task.updated_at, at, "updated_at"),
        videos=tuple(videos),
        watermark=flag(watermark.enabled if watermark else None, at, "watermark_info.enabled"),
        cost=cost_from_api(*cost, at),
        raw=raw if isinstance(raw, dict) else {},
        http_response=response,
    )


def _task_answer(parsed: TaskEnvelope, raw: Any, response: httpx.Response) -> Task:
    return task_from_api(parsed.data, raw, response)


def parse_task(response: httpx.Response) -> Task:
    # Through the models package's lazy __init__: on Python 3.11, a function's
    # `from package.module import name` costs ~0.6 us per call, this one half as much.
    from kling_edit_api.models import TaskEnvelope

    return read_answer(response, TaskEnvelope, _task_answer)


def parse_task_list(response: httpx.Response) -> list[Task]:
    from kling_edit_api.models import TaskListEnvelope

    def build(parsed: TaskListEnvelope, raw: Any, response: httpx.Response) -> list[Task]:
        # The generated model iterates whatever `data` is: an empty object would read as [].
        if not isinstance(raw, list):
            raise FieldError("", "data", "a list of tasks", raw)
        return [
            task_from_api(task, item, response, f"data[{index}]")
            for index, (task, item) in enumerate(zip(parsed.data, raw, strict=True))
        ]

    return read_answer(response, TaskListEnvelope, build)


def parse_callback(body: bytes | str | Mapping[str, Any]) -> Task:
    """Read the body of a callback POST as a `Task`.

    Accepts the raw bytes or text of the request, or the already-decoded JSON object, in either
    of Kling's formats: the task object (legacy) or `{id, status, outputs, billing, ...}` (new).
    An envelope (`{"code", "data"}`) around the task is unwrapped. `raw` is the task as sent.
    """
    from kling_edit_api.models.task import Task as ApiTask

    from ._callbacks import normalize_callback  # only programs receiving callbacks load it

    if isinstance(body, bytes | str):
        try:
            body = json.loads(body)
        except (ValueError, RecursionError) as error:
            raise _invalid("callback body is not JSON", None, None) from error
    if not isinstance(body, Mapping):
        raise _invalid("callback body is not a JSON object", None, None)
    data: Mapping[str, Any] = body
    if "code" in body and isinstance(body.get("data"), dict):
        data = body["data"]
    try:
        parsed = ApiTask.from_dict(normalize_callback(data))  # either format
    except FieldError as error:
        raise _invalid(str(error), None, body) from None
    except _SHAPE_ERRORS as error:
        raise _invalid(
            f"not a task callback body ({type(error).__name__}: {error})", None, body
        ) from error
    try:
        return task_from_api(parsed, data, None, "callback")
    except FieldError as error:
        raise _invalid(str(error), None, body) from None
