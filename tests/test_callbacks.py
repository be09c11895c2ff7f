"""normalize_callback: Kling's new callback format read as the legacy task object."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kling_edit import APIResponseValidationError, Task, TaskVideo, parse_callback
from kling_edit._callbacks import normalize_callback

FIXTURES = Path(__file__).parent / "fixtures" / "kling"


def fixture(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return body


def read(body: Any) -> Task:
    # parse_callback reads either format itself; the raw bytes must read the same.
    task = parse_callback(body)
    assert parse_callback(json.dumps(body).encode()) == task
    return task


def test_kling_new_format_reference_example() -> None:
    # Kling's published schema example: placeholders, a video among other output types.
    task = read(fixture("callback.new-all-outputs.callback.json"))
    assert task.task_id == "string"
    assert task.status == "string"
    assert task.status_message == "string"
    assert task.external_task_id == "string"
    assert task.created_at == task.updated_at == datetime.fromtimestamp(1722769557.708, UTC)
    assert task.videos == (
        TaskVideo(url="string", id="string", duration=None, watermark_url="string"),
    )


def test_kling_test_callback_example() -> None:
    # The body Kling's console sends as a test callback: submitted, no outputs, empty message.
    task = read(fixture("callback.new-test.callback.json"))
    assert (task.task_id, task.status, task.status_message) == (
        "913827032734642185",
        "submitted",
        None,
    )
    assert task.videos == ()
    assert task.updated_at == datetime.fromtimestamp(1785901861.504, UTC)


def test_kling_legacy_reference_example_passes_through() -> None:
    body = fixture("callback.legacy.callback.json")
    assert normalize_callback(body) is body
    task = read(body)
    assert (task.task_id, task.external_task_id) == ("string", "string")
    assert task.videos == (TaskVideo(url="string", id="string", duration=None),)


def test_a_succeeded_new_format_body_reads_like_the_legacy_one() -> None:
    new = {
        "id": "t-1",
        "status": "succeeded",
        "message": "",
        "create_time": 1722769557708,
        "update_time": 1722769560000,
        "external_id": "mine-7",
        "outputs": [
            {"type": "image", "url": "https://x/i.png"},
            {
                "type": "video",
                "id": "v-1",
                "url": "https://x/v.mp4",
                "watermark_url": "https://x/w.mp4",
                "duration": "5.1",
            },
        ],
        "billing": [
            {"charge_type": "unit", "amount": "0.2", "package_type": "video"},
            {"charge_type": "cash", "amount": "0.14", "list_price": "0.2", "currency": "USD"},
        ],
    }
    assert normalize_callback(new) == {
        "task_id": "t-1",
        "task_status": "succeed",
        "task_status_msg": "",
        "created_at": 1722769557708,
        "updated_at": 1722769560000,
        "task_info": {"external_task_id": "mine-7"},
        "task_result": {
            "videos": [
                {
                    "id": "v-1",
                    "url": "https://x/v.mp4",
                    "watermark_url": "https://x/w.mp4",
                    "duration": "5.1",
                }
            ]
        },
        "final_unit_deduction": "0.2",
        "final_balance_deduction": {"quota": "0.14", "list_price": "0.2"},
    }
    task = read(new)
    assert task.is_succeeded
    assert task.video_url == "https://x/v.mp4"
    assert task.videos[0].duration == 5.1


@pytest.mark.parametrize(
    ("new", "legacy"),
    [("submitted", "submitted"), ("processing", "processing"), ("failed", "failed")],
)
def test_other_statuses_keep_their_name(new: str, legacy: str) -> None:
    assert normalize_callback({"id": "t", "status": new})["task_status"] == legacy


@pytest.mark.parametrize(
    "body",
    [
        {"code": 0, "message": "SUCCEED", "data": {"task_id": "t", "task_status": "submitted"}},
        {"status": "succeeded"},  # no id: not the new format
        {"unrelated": True},
    ],
)
def test_bodies_in_no_new_format_pass_through_unchanged(body: dict[str, Any]) -> None:
    assert normalize_callback(body) is body


def test_a_body_that_is_no_task_is_still_refused() -> None:
    with pytest.raises(APIResponseValidationError):
        read({"unrelated": True})
