"""Answers the client cannot read end in the error tree, naming the field at fault (issue 13.3),
and the first call loads only the generated models it needs."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from kling_edit import APIError, APIResponseValidationError, KlingEdit
from wrapper_helpers import SESSION_ID, MakeApi, VirtualClock, envelope, session_data, task_data


def _answering(
    content: bytes | str, status: int = 200
) -> Callable[[httpx.Request], httpx.Response]:
    raw = content.encode() if isinstance(content, str) else content
    return lambda request: httpx.Response(status, content=raw)


@pytest.mark.parametrize("status", [200, 500])
async def test_a_deeply_nested_answer_is_an_api_error(
    status: int, make_api: MakeApi, clock: VirtualClock
) -> None:
    api = make_api(handler=_answering("[" * 200_000, status), max_retries=0)
    with pytest.raises(APIError) as caught:
        await api("tasks.get", "1")
    assert caught.value.status_code == status
    assert isinstance(caught.value, APIResponseValidationError) == (status == 200)


def _selection_answer(size_json: str) -> str:
    mask = f'{{"object_id": 0, "rle_mask": {{"size": {size_json}, "counts": "3"}}}}'
    data = f'{{"status": 0, "res": {{"frame_index": 0, "rle_mask_list": [{mask}]}}}}'
    return f'{{"code": 0, "message": "SUCCEED", "request_id": "r", "data": {data}}}'


@pytest.mark.parametrize("size", ["[null, null]", '"ab"', "[1e400, 1]", "5", "[720]", "[0, 5]"])
async def test_a_bad_mask_size_names_the_field(
    size: str, make_api: MakeApi, clock: VirtualClock
) -> None:
    api = make_api(handler=_answering(_selection_answer(size)))
    with pytest.raises(
        APIResponseValidationError, match=r"^data\.res\.rle_mask_list\[0\]\.rle_mask\.size"
    ):
        await api("sessions.add_points", SESSION_ID, frame_index=0, points=[(0.5, 0.5)])


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("fps", "abc", "data.fps: expected a number, got 'abc'"),
        ("fps", 0, "data.fps: expected a finite number above 0, got 0"),
        ("total_frame", "150", "data.total_frame: expected an integer, got '150'"),
        ("total_frame", -1, "data.total_frame: expected an integer at least 0, got -1"),
        ("original_duration", "5000", "data.original_duration: expected an integer, got '5000'"),
        ("width", True, "data.width: expected an integer, got True"),
        ("session_id", 7, "data.session_id: expected a non-empty string, got 7"),
        ("final_unit_deduction", [], "data.final_unit_deduction: expected a string, got []"),
    ],
)
async def test_a_bad_init_field_is_refused_at_the_boundary(
    field: str, value: Any, message: str, make_api: MakeApi, clock: VirtualClock
) -> None:
    body = envelope({**session_data(), field: value})
    api = make_api(handler=lambda request: httpx.Response(200, json=body))
    with pytest.raises(APIResponseValidationError) as caught:
        await api("sessions.init", video_url="https://videos.test/clip.mp4")
    assert caught.value.message == message
    assert caught.value.status_code == 200


async def test_later_calls_work_after_a_refused_init(
    make_api: MakeApi, clock: VirtualClock
) -> None:
    # A string total_frame used to be remembered and break the next call with a TypeError.
    answers = iter(
        [
            envelope({**session_data(), "total_frame": "150"}),
            envelope({"status": 0, "res": {"frame_index": 3, "rle_mask_list": []}}),
        ]
    )
    api = make_api(handler=lambda request: httpx.Response(200, json=next(answers)))
    with pytest.raises(APIResponseValidationError):
        await api("sessions.init", video_url="https://videos.test/clip.mp4")
    selection = await api("sessions.add_points", SESSION_ID, frame_index=3, points=[(0.5, 0.5)])
    assert selection.frame_index == 3


@pytest.mark.parametrize("code", ['"0"', "null", "0.0", "false"])
async def test_a_success_answer_whose_code_is_no_integer_is_a_validation_error(
    code: str, make_api: MakeApi, clock: VirtualClock
) -> None:
    data = json.dumps(task_data())
    answer = f'{{"code": {code}, "message": "SUCCEED", "data": {data}}}'
    api = make_api(handler=_answering(answer), max_retries=0)
    with pytest.raises(APIResponseValidationError, match=r"^code: expected an integer"):
        await api("tasks.get", "1")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"task_status": 3}, "data.task_status: expected a non-empty string, got 3"),
        ({"created_at": "2024-08-01"}, "data.created_at: expected an integer, got '2024-08-01'"),
        ({"created_at": 10**20}, "data.created_at: expected an integer between"),
        ({"watermark_info": {"enabled": "yes"}}, "data.watermark_info.enabled: expected true"),
        (
            {"task_result": {"videos": [{"url": 5}]}},
            "data.task_result.videos[0].url: expected a string, got 5",
        ),
        ({"final_balance_deduction": {"quota": {}}}, "data.final_balance_deduction.quota"),
    ],
)
async def test_a_bad_task_field_is_named(
    change: dict[str, Any], message: str, make_api: MakeApi, clock: VirtualClock
) -> None:
    body = envelope({**task_data(), **change})
    api = make_api(handler=lambda request: httpx.Response(200, json=body), max_retries=0)
    with pytest.raises(APIResponseValidationError) as caught:
        await api("tasks.get", "1")
    assert caught.value.message.startswith(message)
    assert (caught.value.status_code, caught.value.request_id) == (200, "req-1")


# ---------------------------------------------------------------------------------------------
# The first tasks.get() loads only the generated modules it needs: the task's own models (each
# generated module imports the models nested in it once, with the module), none of the
# selection, session or create models.


def test_the_first_get_loads_only_the_generated_models_it_needs() -> None:
    script = """
import sys, httpx
from kling_edit import KlingEdit
body = b'{"code":0,"message":"ok","data":{"task_id":"1","task_status":"submitted"}}'
http = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200, content=body)))
KlingEdit(api_key="sk-x", base_url="https://k.test", http_client=http).tasks.get("1")
print(sorted(m.rsplit(".", 1)[1] for m in sys.modules if m.startswith("kling_edit_api.models.")))
"""
    loaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(loaded.replace("'", '"')) == [
        "error_envelope",
        "final_balance_deduction",
        "task",
        "task_envelope",
        "task_task_info",
        "task_task_result",
        "task_video",
        "watermark_info",
    ]


@pytest.mark.parametrize(("field", "value"), [("fps", 10**400), ("original_duration", 10**400)])
def test_an_integer_past_floats_range_is_a_named_validation_error(field: str, value: int) -> None:
    # Found by the answer fuzz: `original_duration / 1000` (and float(fps)) raised OverflowError.
    data = {
        "status": 0,
        "session_id": "s-1",
        "fps": 30.0,
        "original_duration": 5000,
        "width": 1280,
        "height": 720,
        "total_frame": 150,
        field: value,
    }
    body = json.dumps({"code": 0, "message": "SUCCEED", "request_id": "r", "data": data})
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body.encode()))
    with (
        KlingEdit(api_key="sk-test", http_client=httpx.Client(transport=transport)) as client,
        pytest.raises(APIResponseValidationError, match=f"data.{field}"),
    ):
        client.sessions.init(video_url="https://example.com/clip.mp4")
