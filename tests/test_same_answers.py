"""What the hot-path and cold-start rounds (issue 11) promised to keep: answers read as before.

The generated `from_dict` used to start from `dict(src_dict)`; reading the JSON object in place
must accept what that copy accepted (an empty array or string where an object is expected, as
services built on PHP send for an empty object, or a list of pairs) and refuse the rest with the
same message. The generated models, now plain slotted classes, pickle as the attrs ones did; an
`Operation`, now a named tuple, shows what its attrs repr showed; the task methods' annotations
resolve at run time as they did before their modules loaded lazily.
"""

from __future__ import annotations

import pickle
import typing
from typing import Any

import httpx
import pytest

from kling_edit import APIResponseValidationError, KlingEdit, Task
from kling_edit._operations import get_task, list_tasks
from kling_edit._tasks import AsyncTasks, Tasks
from kling_edit_api.models import FinalBalanceDeduction, TaskTaskInfo, WatermarkInfo
from wrapper_helpers import BASE_URL, KEY, RESULT_URL, TASK_ID, envelope, task_data


def _get(data: Any) -> Task:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=envelope(data))

    http = httpx.Client(transport=httpx.MockTransport(answer))
    with KlingEdit(KEY, base_url=BASE_URL, http_client=http, max_retries=0) as client:
        return client.tasks.get(TASK_ID)


@pytest.mark.parametrize("empty", [[], ""], ids=["array", "string"])
@pytest.mark.parametrize(
    ("field", "read"),
    [
        ("task_result", lambda task: task.videos),
        ("task_info", lambda task: task.external_task_id),
        ("watermark_info", lambda task: task.watermark),
        ("final_balance_deduction", lambda task: task.cost),
    ],
)
def test_an_empty_array_or_string_for_a_nested_object_reads_as_an_empty_object(
    field: str, read: Any, empty: object
) -> None:
    as_object = _get(task_data() | {field: {}})
    assert read(_get(task_data() | {field: empty})) == read(as_object)


def test_a_list_of_pairs_for_an_object_reads_as_that_object() -> None:
    data = task_data(video_url=RESULT_URL) | {"watermark_info": [["enabled", True]]}
    data["task_result"] = [["videos", [[["url", RESULT_URL]]]]]
    task = _get(data)
    assert [video.url for video in task.videos] == [RESULT_URL]
    assert task.watermark is True
    assert _get([list(pair) for pair in task_data().items()]).task_id == TASK_ID


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (None, "TypeError: 'NoneType' object is not iterable"),
        (7, "TypeError: 'int' object is not iterable"),
        ([], "KeyError: 'task_id'"),
        (task_data() | {"task_info": None}, "TypeError: 'NoneType' object is not iterable"),
    ],
)
def test_an_answer_that_is_no_object_fails_with_the_message_it_had(data: Any, why: str) -> None:
    with pytest.raises(APIResponseValidationError) as caught:
        _get(data)
    assert f"does not match the spec ({why})" in str(caught.value)


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_generated_models_pickle_with_every_protocol(protocol: int) -> None:
    models: list[FinalBalanceDeduction | WatermarkInfo | TaskTaskInfo] = [
        FinalBalanceDeduction(quota="1.5", list_price="2"),
        WatermarkInfo(enabled=True),
        TaskTaskInfo.from_dict({"external_task_id": "e-1", "unknown": [1]}),
    ]
    for model in models:
        copied = pickle.loads(pickle.dumps(model, protocol))
        assert copied == model
        assert copied.additional_properties is not model.additional_properties


def test_an_operation_shows_its_params_and_replay_safety_but_not_its_body() -> None:
    assert repr(list_tasks(1, 10)) == (
        "Operation(name='list_tasks', method='GET', path='/kling/v1/videos/multi-elements',"
        " params={'pageNum': 1, 'pageSize': 10}, replay_safe=True)"
    )
    created = get_task("1")._replace(json={"image": "c2VjcmV0"}, replay_safe=False)
    assert "c2VjcmV0" not in repr(created)
    assert repr(created).endswith("params=None, replay_safe=False)")


@pytest.mark.parametrize("resource", [Tasks, AsyncTasks])
@pytest.mark.parametrize("method", ["create", "remove", "add", "swap"])
def test_the_create_methods_annotations_resolve_at_run_time(resource: type, method: str) -> None:
    typing.get_type_hints(getattr(resource, method))
