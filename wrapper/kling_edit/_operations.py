"""Operations: validate a call's arguments, build its request through the generated
`kling_edit_api` code, and say how to read its answer.

Nothing else lives here: no I/O, no retrying (`_retry`), no multi-step flows (`_flows`).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import httpx
from attrs import evolve

from . import _rules
from ._book import SessionBook
from ._errors import VideoRejectedError
from ._media import ImageInput, prepare_images
from ._models import ObjectMask, Preview, Selection, Session, Task
from ._parse import (
    _as_validation_error,
    _envelope_data,
    _parse_task,
    _parse_task_list,
    _value,
    task_from_api,
)
from ._steps import Operation


def _kwargs(module: Any, **arguments: Any) -> tuple[str, str, Any, Any]:
    # The generated `_get_kwargs` is the one place that knows each route's method, path and body
    # encoding; the generator is pinned, so this private hook is stable (tests/test_core.py).
    built = module._get_kwargs(**arguments)
    return built["method"].upper(), built["url"], built.get("json"), built.get("params")


def init_session(video_url: object, video_id: object, book: SessionBook) -> Operation[Session]:
    from kling_edit_api.api.default import init_selection
    from kling_edit_api.models import InitSelectionEnvelope, InitSelectionRequest
    from kling_edit_api.types import UNSET

    video_url, video_id = _rules.given(video_url), _rules.given(video_id)
    if (video_url is None) == (video_id is None):
        raise _rules.fail("video_url", "pass exactly one of video_url or video_id")
    body = InitSelectionRequest(
        video_url=_rules.check_video_url(video_url) if video_url is not None else UNSET,
        video_id=_rules.require_str("video_id", video_id) if video_id is not None else UNSET,
    )

    def parse(response: httpx.Response) -> Session:
        data, raw = _envelope_data(response, InitSelectionEnvelope)
        session = Session(
            session_id=data.session_id,
            status=_value(data.status) or 0,
            fps=_value(data.fps),
            original_duration_ms=_value(data.original_duration),
            width=_value(data.width),
            height=_value(data.height),
            total_frame=_value(data.total_frame),
            normalized_video_url=_value(data.normalized_video),
            final_unit_deduction=_value(data.final_unit_deduction),
            raw=raw,
            http_response=response,
        )
        if session.status != 0:
            problems = _rules.video_problems(
                session.fps, session.width, session.height, session.original_duration_ms
            )
            reason = "; ".join(problems) if problems else "the service gave no reason"
            # `raw` is the data object; the request id sits on the envelope (or the header).
            envelope = response.json()
            raise VideoRejectedError(
                f"the source video was rejected (status {session.status}): {reason}",
                status_code=response.status_code,
                code=session.status,
                request_id=envelope.get("request_id") or response.headers.get("x-request-id"),
                response=response,
                body=raw,
            )
        book.remember(session)
        return session

    method, path, body_json, _ = _kwargs(init_selection, body=body)
    return Operation("init_selection", method, path, parse, json=body_json, replay_safe=False)


def change_selection(
    action: str, session_id: object, frame_index: object, points: object, book: SessionBook
) -> Operation[Selection]:
    """add-selection or delete-selection (`action` is "add" or "delete")."""
    from kling_edit_api.api.default import add_selection, delete_selection
    from kling_edit_api.models import Point, SelectionEnvelope, SelectionRequest

    sid = _rules.require_str("session_id", session_id)
    frame = _rules.require_int("frame_index", frame_index, low=0)
    checked = _rules.check_points(points)
    marks = frozenset((p["x"], p["y"]) for p in checked)
    book.check_frame(sid, frame, marks, adding=action == "add")
    body = SelectionRequest(
        session_id=sid, frame_index=frame, points=[Point(x=p["x"], y=p["y"]) for p in checked]
    )

    def parse(response: httpx.Response) -> Selection:
        data, raw = _envelope_data(response, SelectionEnvelope)
        res = _value(data.res)
        book.mark(sid, frame, marks, adding=action == "add")
        return Selection(
            session_id=sid,
            frame_index=_value(res.frame_index)
            if res is not None and _value(res.frame_index) is not None
            else frame,
            objects=tuple(
                _object_mask(item)
                for item in (_value(res.rle_mask_list) or [] if res is not None else [])
            ),
            status=data.status,
            raw=raw,
            http_response=response,
        )

    module = add_selection if action == "add" else delete_selection
    method, path, body_json, _ = _kwargs(module, body=body)
    return Operation(f"{action}_selection", method, path, parse, json=body_json)


def _object_mask(item: Any) -> ObjectMask:
    rle, png = _value(item.rle_mask), _value(item.png_mask)
    size = rle.size if rle is not None else (png.size if png is not None else None)
    return ObjectMask(
        object_id=item.object_id,
        size=(int(size[0]), int(size[1])) if size is not None and len(size) == 2 else None,
        rle_counts=rle.counts if rle is not None else None,
        png_base64=png.base64 if png is not None else None,
    )


def clear_selection(session_id: object, book: SessionBook) -> Operation[None]:
    from kling_edit_api.api.default import clear_selection as api
    from kling_edit_api.models import ClearSelectionEnvelope, SessionRequest

    sid = _rules.require_str("session_id", session_id)

    def parse(response: httpx.Response) -> None:
        _envelope_data(response, ClearSelectionEnvelope)
        book.clear(sid)

    method, path, body_json, _ = _kwargs(api, body=SessionRequest(session_id=sid))
    return Operation("clear_selection", method, path, parse, json=body_json)


def preview_selection(session_id: object) -> Operation[Preview]:
    from kling_edit_api.api.default import preview_selection as api
    from kling_edit_api.models import PreviewSelectionEnvelope, SessionRequest

    sid = _rules.require_str("session_id", session_id)

    def parse(response: httpx.Response) -> Preview:
        data, raw = _envelope_data(response, PreviewSelectionEnvelope)
        res = _value(data.res)
        return Preview(
            session_id=sid,
            video_url=_value(res.video) if res is not None else None,
            cover_url=_value(res.video_cover) if res is not None else None,
            tracking_url=_value(res.tracking_output) if res is not None else None,
            status=_value(data.status) or 0,
            raw=raw,
            http_response=response,
        )

    method, path, body_json, _ = _kwargs(api, body=SessionRequest(session_id=sid))
    return Operation("preview_selection", method, path, parse, json=body_json)


def create_task_operation(
    *,
    session_id: object,
    edit_mode: object,
    prompt: object,
    images: Iterable[ImageInput] | None,
    negative_prompt: object,
    mode: object,
    duration: object,
    callback_url: object,
    external_task_id: object,
    model_name: object,
    extra_body: Mapping[str, Any],
    book: SessionBook,
    image_field: str | None = None,
) -> tuple[Operation[Task], str]:
    """Validate every create-task rule; answer the operation and the external_task_id it carries."""
    from kling_edit_api.api.default import create_task
    from kling_edit_api.models import (
        CreateTaskEnvelope,
        CreateTaskRequest,
        EditMode,
        GenerationMode,
        ImageReference,
        ModelName,
    )
    from kling_edit_api.types import UNSET

    sid = _rules.require_str("session_id", session_id)
    edit = _rules.require_choice("edit_mode", edit_mode, _rules.EDIT_MODES)
    text = _rules.check_prompt("prompt", prompt, required=True)
    assert text is not None
    if images is not None and (isinstance(images, str | bytes) or not isinstance(images, Iterable)):
        raise _rules.fail("images", "must be a list of images (wrap a single image in a list)")
    image_list = list(images) if images is not None else []
    _rules.check_image_count(edit, len(image_list))
    _rules.check_placeholders(text, len(image_list))
    negative_prompt, callback_url = _rules.given(negative_prompt), _rules.given(callback_url)
    external_task_id = _rules.given(external_task_id)
    negative = _rules.check_prompt("negative_prompt", negative_prompt, required=False)
    gen_mode = _rules.require_choice("mode", mode, _rules.MODES) if mode is not None else None
    model = (
        _rules.require_choice("model_name", model_name, _rules.MODEL_NAMES)
        if model_name is not None
        else None
    )
    seconds_str = _rules.check_duration(duration)
    if seconds_str is not None:
        _rules.check_duration_fits(seconds_str, book.duration_ms(sid))
    callback = (
        _rules.check_http_url("callback_url", callback_url) if callback_url is not None else None
    )
    # The only idempotency handle the API has: made here when the caller gives none, so that a
    # resend after a lost answer can be recognised as the same task.
    external_id = (
        _rules.check_id("external_task_id", external_task_id)
        if external_task_id is not None
        else _new_external_id()
    )
    encoded = prepare_images(image_list, image_field)
    body = CreateTaskRequest(
        session_id=sid,
        edit_mode=EditMode(edit),
        prompt=text,
        image_list=[ImageReference(image=image) for image in encoded] if encoded else UNSET,
        negative_prompt=negative if negative is not None else UNSET,
        mode=GenerationMode(gen_mode) if gen_mode is not None else UNSET,
        model_name=ModelName(model) if model is not None else UNSET,
        duration=seconds_str if seconds_str is not None else UNSET,
        callback_url=callback if callback is not None else UNSET,
        external_task_id=external_id,
    )

    def parse(response: httpx.Response) -> Task:
        data, raw = _envelope_data(response, CreateTaskEnvelope)
        try:
            task = task_from_api(data, raw, response)
        except ValueError as error:
            raise _as_validation_error(response, raw, error) from error
        return task if task.external_task_id else evolve(task, external_task_id=external_id)

    method, path, body_json, _ = _kwargs(create_task, body=body)
    # extra_body is the escape hatch for fields the spec lacks (e.g. watermark_info); it may not
    # override what the client validated.
    if not isinstance(extra_body, Mapping) or not all(isinstance(k, str) for k in extra_body):
        raise _rules.fail("extra_body", "must be a mapping of field names to JSON values")
    clashes = sorted(set(extra_body) & set(body_json))
    if clashes:
        raise _rules.fail("extra_body", f"must not repeat validated fields: {', '.join(clashes)}")
    try:
        json.dumps(extra_body, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise _rules.fail("extra_body", f"must be JSON-serialisable ({error})") from None
    return Operation(
        "create_task", method, path, parse, json={**body_json, **extra_body}
    ), external_id


def _new_external_id() -> str:
    import uuid  # only creates need it; it adds ~3 ms to `import kling_edit`

    return f"kling-edit-{uuid.uuid4()}"


def get_task(task_id: object, field_name: str = "task_id") -> Operation[Task]:
    from kling_edit_api.api.default import get_task as api

    method, path, _, _ = _kwargs(api, task_id=_rules.check_id(field_name, task_id))
    return Operation("get_task", method, path, _parse_task)


def list_tasks(page: object, page_size: object) -> Operation[list[Task]]:
    from kling_edit_api.api.default import list_tasks as api

    number = _rules.require_int(
        "page", page, low=_rules.PAGE_NUM_RANGE[0], high=_rules.PAGE_NUM_RANGE[1]
    )
    size = _rules.require_int(
        "page_size", page_size, low=_rules.PAGE_SIZE_RANGE[0], high=_rules.PAGE_SIZE_RANGE[1]
    )
    method, path, _, params = _kwargs(api, page_num=number, page_size=size)
    return Operation("list_tasks", method, path, _parse_task_list, params=params)


def pages(page_size: int) -> Iterator[Operation[list[Task]]]:
    """The list operations of iter_all, page after page (the caller stops on a short page).

    The first page is built now, so a bad page_size fails at the call, not at iteration.
    """
    first = list_tasks(_rules.PAGE_NUM_RANGE[0], page_size)
    rest = range(_rules.PAGE_NUM_RANGE[0] + 1, _rules.PAGE_NUM_RANGE[1] + 1)
    return itertools.chain([first], (list_tasks(number, page_size) for number in rest))


def task_id_of(task_or_id: object) -> str:
    if isinstance(task_or_id, Task):
        return task_or_id.task_id
    return _rules.require_str("task", task_or_id)
