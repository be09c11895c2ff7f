"""Reading answers: every published example parses with every field on the models, both callback
formats read into the same Task, and create sends `watermark_info` when asked."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from kling_edit import (
    APIResponseValidationError,
    Cost,
    RequestValidationError,
    TaskVideo,
    parse_callback,
)
from spec_helpers import fixtures
from wrapper_helpers import (
    PROMPT,
    SESSION_ID,
    MakeApi,
    VirtualClock,
    envelope,
    task_data,
)

# ---------------------------------------------------------------------------------------------
# Every field of every published example, found on the model.


def _leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}[{index}]")
    else:
        yield path, value


def _distinct(value: Any, counter: Iterator[int], key: str = "") -> Any:
    """The example with every string and number made distinct (so that a field read from the
    wrong place shows), within the ranges the fields allow; `status` stays 0 (success) and a
    mask's `size` as sent (its RLE and PNG forms describe one mask)."""
    if isinstance(value, dict):
        return {k: _distinct(item, counter, k) for k, item in value.items()}
    if isinstance(value, list):
        return [_distinct(item, counter, key) for item in value]
    if isinstance(value, bool) or key in ("status", "size"):
        return value
    if isinstance(value, str):
        return str(1000 + next(counter))  # a numeric string: ids are, and durations must parse
    if isinstance(value, float):
        return 24.5 + next(counter)
    if isinstance(value, int):
        return value + next(counter)
    return value


def _ms(value: Any) -> datetime:
    return datetime.fromtimestamp(value / 1000, UTC)


def _same(value: Any) -> Any:
    return value


# JSON path in `data` (or the callback body) -> (path on the model, how the model holds it).
TASK_FIELDS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "task_id": ("task_id", _same),
    "task_status": ("status", _same),
    "task_status_msg": ("status_message", _same),
    "task_info.external_task_id": ("external_task_id", _same),
    "task_result.videos[0].id": ("videos[0].id", _same),
    "task_result.videos[0].session_id": ("videos[0].session_id", _same),
    "task_result.videos[0].url": ("videos[0].url", _same),
    "task_result.videos[0].watermark_url": ("videos[0].watermark_url", _same),
    "task_result.videos[0].duration": ("videos[0].duration", float),
    "watermark_info.enabled": ("watermark", _same),
    "final_unit_deduction": ("cost.units", _same),
    "final_balance_deduction.quota": ("cost.quota", _same),
    "final_balance_deduction.list_price": ("cost.list_price", _same),
    "created_at": ("created_at", _ms),
    "updated_at": ("updated_at", _ms),
}
COST_FIELDS = {key: TASK_FIELDS[key] for key in TASK_FIELDS if "deduction" in key}
SELECTION_FIELDS = {
    "status": ("status", _same),
    "session_id": ("session_id", _same),
    **COST_FIELDS,
    "res.frame_index": ("frame_index", _same),
    "res.rle_mask_list[0].object_id": ("objects[0].object_id", _same),
    "res.rle_mask_list[0].rle_mask.size[0]": ("objects[0].size[0]", _same),
    "res.rle_mask_list[0].rle_mask.size[1]": ("objects[0].size[1]", _same),
    "res.rle_mask_list[0].rle_mask.counts": ("objects[0].rle_counts", _same),
    # One mask has one size: the RLE form's decides, the PNG's must agree (the example's do).
    "res.rle_mask_list[0].png_mask.size[0]": ("objects[0].size[0]", _same),
    "res.rle_mask_list[0].png_mask.size[1]": ("objects[0].size[1]", _same),
    "res.rle_mask_list[0].png_mask.base64": ("objects[0].png_base64", _same),
}
FIELDS: dict[str, dict[str, tuple[str, Callable[[Any], Any]]]] = {
    "init-selection": {
        "status": ("status", _same),
        "session_id": ("session_id", _same),
        **COST_FIELDS,
        "fps": ("fps", _same),
        "original_duration": ("original_duration_ms", _same),
        "width": ("width", _same),
        "height": ("height", _same),
        "total_frame": ("total_frame", _same),
        "normalized_video": ("normalized_video_url", _same),
    },
    "add-selection": SELECTION_FIELDS,
    "delete-selection": SELECTION_FIELDS,
    # clear answers None by design: its data (status, session_id, cost) is checked, not kept.
    "clear-selection": {},
    "preview-selection": {
        "status": ("status", _same),
        "session_id": ("session_id", _same),
        **COST_FIELDS,
        "res.video": ("video_url", _same),
        "res.video_cover": ("cover_url", _same),
        "res.tracking_output": ("tracking_url", _same),
    },
    "create-task": {"updated_at": TASK_FIELDS["updated_at"]}
    | {
        key: TASK_FIELDS[key]
        for key in ("task_id", "task_status", "task_info.external_task_id", "created_at")
    },
    "get-task": TASK_FIELDS,
    "list-tasks": {f"[0].{key}": (f"[0].{path}", how) for key, (path, how) in TASK_FIELDS.items()},
}
# The legacy callback page is shared by every API: these are other APIs' fields (a video
# extension's parent, image results), reachable through `Task.raw` only.
RAW_ONLY = {
    "task_info.parent_video.id",
    "task_info.parent_video.url",
    "task_info.parent_video.duration",
    "task_result.images[0].index",
    "task_result.images[0].url",
}


def _on_model(model: Any, path: str) -> Any:
    found = model
    for part in path.replace("[", ".[").split("."):
        if not part:
            continue
        found = found[int(part[1:-1])] if part.startswith("[") else getattr(found, part)
    return found


async def _call(make_api: MakeApi, route: str, body: dict[str, Any]) -> Any:
    api = make_api(handler=lambda request: httpx.Response(200, json=body), max_retries=0)
    data = body["data"]
    session = data.get("session_id", SESSION_ID) if isinstance(data, dict) else SESSION_ID
    point = {"frame_index": 0, "points": [(0.5, 0.5)]}
    if route == "init-selection":
        return await api("sessions.init", video_url="https://videos.test/clip.mp4")
    if route == "add-selection":
        return await api("sessions.add_points", session, **point)
    if route == "delete-selection":
        await api("sessions.add_points", session, **point)
        return await api("sessions.delete_points", session, **point)
    if route == "clear-selection":
        return await api("sessions.clear", session)
    if route == "preview-selection":
        return await api("sessions.preview", session)
    if route == "create-task":
        return await api("tasks.remove", session, prompt=PROMPT)
    if route == "get-task":
        return await api("tasks.get", "847570360458960960")
    assert route == "list-tasks"
    return await api("tasks.list")


@pytest.mark.parametrize("fixture", fixtures("response"), ids=lambda fixture: fixture.name)
async def test_each_response_example_parses_with_every_field_on_the_model(
    fixture: Any, make_api: MakeApi, clock: VirtualClock
) -> None:
    published = fixture.body
    await _call(make_api, fixture.route, published)  # as published, placeholders and all
    sent = {**published, "data": _distinct(published["data"], iter(range(1, 10_000)))}
    model = await _call(make_api, fixture.route, sent)
    fields = FIELDS[fixture.route]
    if fixture.route == "clear-selection":
        assert model is None
        return
    leaves = dict(_leaves(sent["data"]))
    assert sorted(set(leaves) - set(fields)) == [], "fields of the example no model holds"
    for json_path, (model_path, how) in fields.items():
        assert _on_model(model, model_path) == how(leaves[json_path]), json_path


@pytest.mark.parametrize("fixture", fixtures("callback"), ids=lambda fixture: fixture.name)
def test_each_callback_example_parses(fixture: Any) -> None:
    task = parse_callback(json.dumps(fixture.body))
    assert task.task_id == fixture.body.get("task_id", fixture.body.get("id"))
    assert task.raw == fixture.body


def test_the_legacy_callback_example_has_every_field_on_the_task() -> None:
    (legacy,) = [fixture for fixture in fixtures("callback") if fixture.variant == "legacy"]
    sent = _distinct(legacy.body, iter(range(1, 10_000)))
    task = parse_callback(sent)
    leaves = dict(_leaves(sent))
    assert sorted(set(leaves) - set(TASK_FIELDS) - RAW_ONLY) == []
    for json_path in set(leaves) & set(TASK_FIELDS):
        model_path, how = TASK_FIELDS[json_path]
        assert _on_model(task, model_path) == how(leaves[json_path]), json_path
    raw_leaves = dict(_leaves(task.raw))
    assert {path: raw_leaves[path] for path in RAW_ONLY} == {
        path: leaves[path] for path in RAW_ONLY
    }


def test_a_full_query_task_body_fills_cost_watermark_and_result_video_fields() -> None:
    # Issue 8's acceptance: every field of Kling's "Query Task (Single)" example.
    data = {
        "task_id": "847570360458960960",
        "task_status": "succeed",
        "task_status_msg": "",
        "task_info": {"external_task_id": "order-42"},
        "task_result": {
            "videos": [
                {
                    "id": "v-9",
                    "session_id": "847570360458960961",
                    "url": "https://cdn.test/v-9.mp4",
                    "watermark_url": "https://cdn.test/v-9-wm.mp4",
                    "duration": "5.1",
                }
            ]
        },
        "watermark_info": {"enabled": True},
        "final_unit_deduction": "5",
        "final_balance_deduction": {"quota": "0.84", "list_price": "1.05"},
        "created_at": 1722769557708,
        "updated_at": 1722769617708,
    }
    task = parse_callback(data)
    assert task.cost == Cost(units="5", quota="0.84", list_price="1.05")
    assert task.watermark is True
    assert task.videos == (
        TaskVideo(
            url="https://cdn.test/v-9.mp4",
            id="v-9",
            duration=5.1,
            session_id="847570360458960961",
            watermark_url="https://cdn.test/v-9-wm.mp4",
        ),
    )
    assert task.status_message is None
    assert task.expires_at == datetime(2024, 8, 4, 11, 5, 57, 708000, tzinfo=UTC) + timedelta(
        days=30
    )


def test_absent_cost_and_watermark_read_as_none() -> None:
    task = parse_callback({"task_id": "1", "task_status": "submitted"})
    assert (task.cost, task.watermark, task.created_at, task.expires_at) == (None, None, None, None)


# ---------------------------------------------------------------------------------------------
# The new callback format


def _new_format(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "847570360458960960",
        "status": "succeeded",
        "message": "",
        "create_time": 1722769557708,
        "update_time": 1722769617708,
        "external_id": "order-42",
        "outputs": [
            {"type": "image", "url": "https://cdn.test/cover.png"},
            {
                "type": "video",
                "id": "v-9",
                "url": "https://cdn.test/v-9.mp4",
                "watermark_url": "https://cdn.test/v-9-wm.mp4",
                "duration": "5.1",
            },
        ],
        "billing": [
            {"charge_type": "unit", "amount": "5", "package_type": "video"},
            {
                "charge_type": "cash",
                "cash_type": "balance",
                "amount": "0.84",
                "currency": "USD",
                "list_price": "1.05",
            },
        ],
    }
    return {**body, **changes}


def test_the_new_callback_format_reads_into_the_same_task_as_the_legacy_one() -> None:
    legacy = {
        "task_id": "847570360458960960",
        "task_status": "succeed",
        "task_status_msg": "",
        "created_at": 1722769557708,
        "updated_at": 1722769617708,
        "task_info": {"external_task_id": "order-42"},
        "task_result": {
            "videos": [
                {
                    "id": "v-9",
                    "url": "https://cdn.test/v-9.mp4",
                    "watermark_url": "https://cdn.test/v-9-wm.mp4",
                    "duration": "5.1",
                }
            ]
        },
        "final_unit_deduction": "5",
        "final_balance_deduction": {"quota": "0.84", "list_price": "1.05"},
    }
    new = parse_callback(json.dumps(_new_format()).encode())
    assert new == parse_callback(legacy)  # `raw` (each body as sent) is not compared
    assert new.is_succeeded
    assert new.raw["billing"][1]["currency"] == "USD"


@pytest.mark.parametrize(
    ("status", "expected"),
    [("submitted", "submitted"), ("processing", "processing"), ("failed", "failed")],
)
def test_new_callback_statuses(status: str, expected: str) -> None:
    task = parse_callback(_new_format(status=status, outputs=[], billing=[]))
    assert (task.status, task.videos, task.cost) == (expected, (), None)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"outputs": "none"}, "callback.outputs"),
        ({"outputs": [5]}, "callback.outputs[0]"),
        ({"billing": {"charge_type": "unit"}}, "callback.billing"),
        ({"id": 5}, "callback.task_id"),
        ({"create_time": "yesterday"}, "callback.created_at"),
    ],
)
def test_a_bad_new_format_callback_names_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(APIResponseValidationError, match="^" + re.escape(field)):
        parse_callback(_new_format(**changes))


def test_a_deeply_nested_callback_body_is_a_validation_error() -> None:
    with pytest.raises(APIResponseValidationError):
        parse_callback("[" * 200_000)


# ---------------------------------------------------------------------------------------------
# watermark on create


@pytest.mark.parametrize(
    ("watermark", "sent"), [(True, {"enabled": True}), (False, {"enabled": False})]
)
async def test_create_sends_watermark_info_when_asked(
    watermark: bool, sent: dict[str, Any], make_api: MakeApi, clock: VirtualClock
) -> None:
    bodies: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(200, json=envelope(task_data(external_task_id="e-1")))

    api = make_api(handler=handler)
    await api("tasks.remove", SESSION_ID, prompt=PROMPT, watermark=watermark)
    assert bodies[0]["watermark_info"] == sent


async def test_create_sends_no_watermark_info_by_default(
    make_api: MakeApi, clock: VirtualClock
) -> None:
    bodies: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(200, json=envelope(task_data(external_task_id="e-1")))

    api = make_api(handler=handler)
    await api("tasks.create", session_id=SESSION_ID, edit_mode="removal", prompt=PROMPT)
    assert "watermark_info" not in bodies[0]


async def test_a_watermark_that_is_not_a_bool_is_refused_before_sending(
    make_api: MakeApi, clock: VirtualClock
) -> None:
    api = make_api(handler=lambda request: pytest.fail("sent"))
    with pytest.raises(RequestValidationError, match=r"^watermark: must be True, False or None"):
        await api("tasks.remove", SESSION_ID, prompt=PROMPT, watermark="yes")
