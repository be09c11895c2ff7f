"""Operations: validate a call's arguments, build its request through the generated
`kling_edit_api` code (a create's body directly, as the tests prove it the same), and say how
to read its answer.

Nothing else lives here: no I/O, no retrying (`_retry`), no multi-step flows (`_flows`).
"""

from __future__ import annotations

import functools
import itertools
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx
from attrs import evolve

from kling_edit_api.types import UNSET

from . import _rules
from ._book import SessionBook
from ._models import Session, Task
from ._parse import created_task_from_api, parse_task, parse_task_list, read_answer
from ._steps import ImageInput, Operation

if TYPE_CHECKING:
    from kling_edit_api.models.create_task_envelope import CreateTaskEnvelope

    from ._selection_models import Preview, Selection


def _kwargs(module: Any, **arguments: Any) -> tuple[str, str, Any, Any]:
    # The generated `_get_kwargs` is the one place that knows each route's method, path and body
    # encoding; the generator is pinned, so this private hook is stable (tests/test_core.py).
    built = module._get_kwargs(**arguments)
    return built["method"].upper(), built["url"], built.get("json"), built.get("params")


def init_session(video_url: object, video_id: object, book: SessionBook) -> Operation[Session]:
    from kling_edit_api.api.default import init_selection
    from kling_edit_api.models.init_selection_envelope import InitSelectionEnvelope
    from kling_edit_api.models.init_selection_request import InitSelectionRequest

    # The selection routes' readers and models load with their first call (see `_selection_models`).
    from ._parse_sessions import session_from_api

    video_url, video_id = _rules.given(video_url), _rules.given(video_id)
    if (video_url is None) == (video_id is None):
        raise _rules.fail("video_url", "pass exactly one of video_url or video_id")
    body = InitSelectionRequest(
        video_url=_rules.check_video_url(video_url) if video_url is not None else UNSET,
        video_id=_rules.require_str("video_id", video_id) if video_id is not None else UNSET,
    )

    def parse(response: httpx.Response) -> Session:
        session = read_answer(response, InitSelectionEnvelope, session_from_api)
        book.remember(session)
        return session

    method, path, body_json, _ = _kwargs(init_selection, body=body)
    return Operation("init_selection", method, path, parse, json=body_json, replay_safe=False)


def change_selection(
    action: str, session_id: object, frame_index: object, points: object, book: SessionBook
) -> Operation[Selection]:
    """add-selection or delete-selection (`action` is "add" or "delete")."""
    from kling_edit_api.api.default import add_selection, delete_selection
    from kling_edit_api.models.point import Point
    from kling_edit_api.models.selection_envelope import SelectionEnvelope
    from kling_edit_api.models.selection_request import SelectionRequest

    from ._parse_sessions import selection_from_api

    sid = _rules.require_str("session_id", session_id)
    frame = _rules.require_int("frame_index", frame_index, low=0)
    checked = _rules.check_points(points)
    marked = frozenset((p["x"], p["y"]) for p in checked)
    book.check_frame(sid, frame, marked, adding=action == "add")
    body = SelectionRequest(
        session_id=sid, frame_index=frame, points=[Point(x=p["x"], y=p["y"]) for p in checked]
    )

    build = selection_from_api(sid, frame)

    def parse(response: httpx.Response) -> Selection:
        selection = read_answer(response, SelectionEnvelope, build)
        book.mark(sid, frame, marked, adding=action == "add")
        return selection

    module = add_selection if action == "add" else delete_selection
    method, path, body_json, _ = _kwargs(module, body=body)
    return Operation(f"{action}_selection", method, path, parse, json=body_json)


def clear_selection(session_id: object, book: SessionBook) -> Operation[None]:
    from kling_edit_api.api.default import clear_selection as api
    from kling_edit_api.models.clear_selection_envelope import ClearSelectionEnvelope
    from kling_edit_api.models.session_request import SessionRequest

    sid = _rules.require_str("session_id", session_id)

    def parse(response: httpx.Response) -> None:
        read_answer(response, ClearSelectionEnvelope, _nothing)
        book.clear(sid)

    method, path, body_json, _ = _kwargs(api, body=SessionRequest(session_id=sid))
    return Operation("clear_selection", method, path, parse, json=body_json)


def preview_selection(session_id: object) -> Operation[Preview]:
    from kling_edit_api.api.default import preview_selection as api
    from kling_edit_api.models.preview_selection_envelope import PreviewSelectionEnvelope
    from kling_edit_api.models.session_request import SessionRequest

    from ._parse_sessions import preview_from_api

    sid = _rules.require_str("session_id", session_id)

    def parse(response: httpx.Response) -> Preview:
        return read_answer(response, PreviewSelectionEnvelope, preview_from_api(sid))

    method, path, body_json, _ = _kwargs(api, body=SessionRequest(session_id=sid))
    return Operation("preview_selection", method, path, parse, json=body_json)


def _encoded(images: list[ImageInput], image_field: str | None) -> list[str]:
    if not images:
        return []
    from ._media import prepare_images  # image encoding: only creates with images need it

    return prepare_images(images, image_field)


def create_task_operation(
    session_id: object,
    edit_mode: object,
    prompt: object,
    images: Iterable[ImageInput] | None,
    options: Mapping[str, Any],
    book: SessionBook,
    *,
    image_field: str | None = None,
    new_id: str | None = None,
) -> tuple[Operation[Task], str]:
    """Validate every create-task rule, the `CreateOptions` in `options` included (other keys
    are not read); answer the operation and the external_task_id it carries: the caller's, or
    `new_id`, or one made here."""
    sid = _rules.require_str("session_id", session_id)
    edit = _rules.require_choice("edit_mode", edit_mode, _rules.EDIT_MODES)
    text = _rules.check_prompt("prompt", prompt, required=True)
    assert text is not None
    if images is not None and (isinstance(images, str | bytes) or not isinstance(images, Iterable)):
        raise _rules.fail("images", "must be a list of images (wrap a single image in a list)")
    image_list = list(images) if images is not None else []
    _rules.check_image_count(edit, len(image_list))
    _rules.check_placeholders(text, len(image_list))
    get = options.get
    negative_prompt, callback_url = (
        _rules.given(get("negative_prompt")),
        _rules.given(get("callback_url")),
    )
    external_task_id = _rules.given(get("external_task_id"))
    negative = _rules.check_prompt("negative_prompt", negative_prompt, required=False)
    mode, model_name, watermark = get("mode"), get("model_name"), get("watermark")
    gen_mode = _rules.require_choice("mode", mode, _rules.MODES) if mode is not None else None
    model = (
        _rules.require_choice("model_name", model_name, _rules.MODEL_NAMES)
        if model_name is not None
        else None
    )
    seconds_str = _rules.check_duration(get("duration"))
    if seconds_str is not None:
        _rules.check_duration_fits(seconds_str, book.duration_ms(sid))
    callback = (
        _rules.check_http_url("callback_url", callback_url) if callback_url is not None else None
    )
    if watermark is not None and not isinstance(watermark, bool):
        raise _rules.fail("watermark", f"must be True, False or None, not {watermark!r}")
    # The only idempotency handle the API has: made here when the caller gives none, so that a
    # resend after a lost answer can be recognised as the same task.
    external_id = (
        _rules.check_id("external_task_id", external_task_id)
        if external_task_id is not None
        else new_id or _new_external_id()
    )
    body = create_task_body(
        session_id=sid,
        edit_mode=edit,
        prompt=text,
        images=_encoded(image_list, image_field),
        negative_prompt=negative,
        mode=gen_mode,
        model_name=model,
        duration=seconds_str,
        callback_url=callback,
        external_task_id=external_id,
        watermark=watermark,
    )
    # extra_body is the escape hatch for fields the spec lacks. A field the spec has goes through
    # its own argument and checks, given or not: the hatch may neither override nor bypass them
    # (an image_list on a removal, an unchecked watermark_info).
    extra_body = get("extra_body") or {}
    if not isinstance(extra_body, Mapping):
        raise _rules.fail("extra_body", "must be a mapping of field names to JSON values")
    if extra_body:  # checked only when given: every create passes through here
        _check_extra_body(extra_body, body)
        body.update(extra_body)
    method, path, _ = _create_route()
    # Billed: resent only when the service proves it did nothing (as create_once would say).
    create = Operation(
        "create_task",
        method,
        path,
        functools.partial(_read_created, external_id),
        json=body,
        replay_safe=False,
    )
    return create, external_id


@functools.cache
def _create_route() -> tuple[str, str, type[CreateTaskEnvelope]]:
    """The create-task method, path and answer type, read once from the generated code."""
    from kling_edit_api.api.default import create_task
    from kling_edit_api.models import CreateTaskEnvelope, CreateTaskRequest, EditMode

    probe = CreateTaskRequest(session_id="s", edit_mode=EditMode.REMOVAL, prompt="p")
    method, path, _, _ = _kwargs(create_task, body=probe)
    return method, path, CreateTaskEnvelope


def create_task_body(
    *,
    session_id: str,
    edit_mode: str,
    prompt: str,
    images: list[str],
    negative_prompt: str | None,
    mode: str | None,
    model_name: str | None,
    duration: str | None,
    callback_url: str | None,
    external_task_id: str,
    watermark: bool | None,
) -> dict[str, Any]:
    """The JSON the generated `CreateTaskRequest(...).to_dict()` makes of these checked values
    (None: left out), built directly: going through the generated models (their enums,
    instances and `to_dict`) cost a create more than all its checks. tests/test_hot_path.py
    compares the two."""
    body: dict[str, Any] = {"session_id": session_id, "edit_mode": edit_mode, "prompt": prompt}
    if model_name is not None:
        body["model_name"] = model_name
    if images:
        body["image_list"] = [{"image": image} for image in images]
    if negative_prompt is not None:
        body["negative_prompt"] = negative_prompt
    if mode is not None:
        body["mode"] = mode
    if duration is not None:
        body["duration"] = duration
    if callback_url is not None:
        body["callback_url"] = callback_url
    body["external_task_id"] = external_task_id
    if watermark is not None:
        body["watermark_info"] = {"enabled": watermark}
    return body


def _read_created(external_id: str, response: httpx.Response) -> Task:
    return read_answer(response, _create_route()[2], functools.partial(_created, external_id))


def _created(
    external_id: str, parsed: CreateTaskEnvelope, raw: Any, response: httpx.Response
) -> Task:
    task = created_task_from_api(parsed.data, raw, response)
    return task if task.external_task_id else evolve(task, external_task_id=external_id)


def _check_extra_body(extra_body: Mapping[Any, Any], body_json: Mapping[str, Any]) -> None:
    from kling_edit_api.models.create_task_request import CreateTaskRequest

    if not all(isinstance(k, str) for k in extra_body):
        raise _rules.fail("extra_body", "must be a mapping of field names to JSON values")
    spec_fields = set(CreateTaskRequest.__match_args__)  # every field but additional_properties
    clashes = sorted(set(extra_body) & (spec_fields | set(body_json)))
    if clashes:
        raise _rules.fail(
            "extra_body",
            f"must not carry fields the client checks: {', '.join(clashes)} (pass them as"
            " arguments: images=, watermark=, ...)",
        )
    try:
        json.dumps(extra_body, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise _rules.fail("extra_body", f"must be JSON-serialisable ({error})") from None


def _nothing(parsed: object, raw: object, response: httpx.Response) -> None:
    """clear-selection's answer carries nothing the caller needs once its envelope is read."""


def _new_external_id() -> str:
    """ "kling-edit-" and a random (version 4) UUID, formatted here: `uuid.uuid4()` costs a
    create twice this, and its module adds ~3 ms to `import kling_edit`."""
    uuid = bytearray(os.urandom(16))
    uuid[6] = uuid[6] & 0x0F | 0x40  # version 4
    uuid[8] = uuid[8] & 0x3F | 0x80  # the RFC 4122 variant
    h = uuid.hex()
    return f"kling-edit-{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


# An id the generated code puts in the get-task path as it is (nothing in it needs quoting).
_ID_MARK = "0klingedit0task0id0"


@functools.cache
def _get_task_route() -> tuple[str, str, str]:
    """The get-task method and the path around its id, built once by the generated code: the
    route is read on every poll."""
    from kling_edit_api.api.default import get_task as api

    method, path, _, _ = _kwargs(api, task_id=_ID_MARK)
    before, _, after = path.partition(_ID_MARK)
    return method, before, after


def get_task(task_id: object, field_name: str = "task_id") -> Operation[Task]:
    method, before, after = _get_task_route()
    checked = _rules.check_id(field_name, task_id)
    # Quoted as the generated `_get_kwargs` quotes it (tests/test_hot_path.py compares them);
    # Kling's ids are digits, which quoting leaves as they are, so the common case skips it.
    quoted = checked if checked.isascii() and checked.isalnum() else quote(checked, safe="")
    return Operation("get_task", method, before + quoted + after, parse_task)


def list_tasks(page: object, page_size: object) -> Operation[list[Task]]:
    from kling_edit_api.api.default import list_tasks as api

    number = _rules.require_int(
        "page", page, low=_rules.PAGE_NUM_RANGE[0], high=_rules.PAGE_NUM_RANGE[1]
    )
    size = _rules.require_int(
        "page_size", page_size, low=_rules.PAGE_SIZE_RANGE[0], high=_rules.PAGE_SIZE_RANGE[1]
    )
    method, path, _, params = _kwargs(api, page_num=number, page_size=size)
    return Operation("list_tasks", method, path, parse_task_list, params=params)


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
