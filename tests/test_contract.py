"""Every request the wrapper sends is one the bundled spec allows, and the answers the tests fake
are ones the spec describes."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pytest_httpx import HTTPXMock

from spec_helpers import (
    ROUTES,
    assert_valid_request,
    operation,
    request_validator,
    response_validator,
)
from wrapper_helpers import (
    API,
    PROMPT,
    SESSION_ID,
    TASK_ID,
    Api,
    envelope,
    jpeg_bytes,
    png_bytes,
    preview_data,
    selection_data,
    session_data,
    task_data,
)

PREFIX = "/kling/v1/videos/multi-elements"
CREATE_PATH = PREFIX
PNG = png_bytes(512, 512)
JPEG = jpeg_bytes(800, 600)

# Every form of image the wrapper takes, by name; "file" is written to tmp_path first.
IMAGE_FORMS: dict[str, Any] = {
    "url": "https://images.test/object.png",
    "base64": base64.b64encode(PNG).decode(),
    "data-uri": "data:image/jpeg;base64," + base64.b64encode(JPEG).decode(),
    "bytes": JPEG,
    "file": None,
}
ALL_OPTIONS: dict[str, Any] = {
    "negative_prompt": "blur, artefacts",
    "mode": "pro",
    "duration": 10,
    "callback_url": "https://hooks.test/kling",
    "external_task_id": "order-1",
    "model_name": "kling-v1-6",
    "watermark": False,
}
CREATE_CASES = [
    pytest.param("removal", [], id="removal"),
    *(pytest.param("swap", [form], id=f"swap-{form}") for form in IMAGE_FORMS),
    pytest.param("addition", ["url"], id="addition-url"),
    pytest.param("addition", ["file", "base64"], id="addition-file-base64"),
    pytest.param("addition", ["bytes", "data-uri"], id="addition-bytes-data-uri"),
]
PROMPTS = {
    0: PROMPT,
    1: "Use <<<image_1>>> in <<<video_1>>>",
    2: "Add <<<image_1>>> and <<<image_2>>> to <<<video_1>>>",
}


def _image(form: str, tmp_path: Path) -> Any:
    if form != "file":
        return IMAGE_FORMS[form]
    path = tmp_path / "object.png"
    path.write_bytes(PNG)
    return path


def _sent_json(httpx_mock: HTTPXMock) -> Any:
    (request,) = httpx_mock.get_requests()
    return json.loads(request.content)


@pytest.mark.parametrize("with_options", [False, True], ids=["required-only", "all-options"])
@pytest.mark.parametrize(("edit_mode", "forms"), CREATE_CASES)
async def test_create_bodies_follow_the_spec(
    api: Api,
    httpx_mock: HTTPXMock,
    tmp_path: Path,
    edit_mode: str,
    forms: list[str],
    with_options: bool,
) -> None:
    httpx_mock.add_response(url=API, method="POST", json=envelope(task_data()))
    options = ALL_OPTIONS if with_options else {}
    images = [_image(form, tmp_path) for form in forms]

    await api(
        "tasks.create",
        session_id=SESSION_ID,
        edit_mode=edit_mode,
        prompt=PROMPTS[len(images)],
        images=images or None,
        **options,
    )

    body = _sent_json(httpx_mock)
    assert_valid_request(CREATE_PATH, body)
    # The if/then of the spec: image_list exactly when the mode takes images.
    assert ("image_list" in body) == (edit_mode != "removal")
    for entry, form in zip(body.get("image_list", []), forms, strict=True):
        if form == "url":
            assert entry["image"] == IMAGE_FORMS["url"]
        else:  # raw base64, never a data: URI
            assert base64.b64decode(entry["image"], validate=True)[:2] in (b"\x89P", b"\xff\xd8")
    if with_options:
        assert body["watermark_info"] == {"enabled": False}
        assert body["duration"] == "10"


def test_the_create_contract_has_teeth() -> None:
    validator = request_validator(CREATE_PATH)
    valid: dict[str, Any] = {
        "session_id": SESSION_ID,
        "edit_mode": "swap",
        "prompt": PROMPT,
        "image_list": [{"image": "https://images.test/a.png"}],
    }

    assert validator.is_valid(valid)
    # Kling's removal example sends `image_list: []`, so the spec allows an empty list; the
    # count per edit_mode is a wrapper rule (docs/api-reference.md, R15).
    assert not validator.is_valid({**valid, "image_list": [{}]})
    without_images = {k: v for k, v in valid.items() if k != "image_list"}
    assert not validator.is_valid(without_images)  # if/then: swap needs image_list
    assert not validator.is_valid({**without_images, "edit_mode": "addition"})
    assert validator.is_valid({**without_images, "edit_mode": "removal"})
    assert not validator.is_valid({**valid, "duration": 5})


SESSION_CALLS = [
    pytest.param(
        "init-selection",
        "sessions.init",
        (),
        {"video_url": "https://v.test/a.mp4"},
        session_data(),
        id="init-url",
    ),
    pytest.param(
        "init-selection",
        "sessions.init",
        (),
        {"video_id": "842250903629086785"},
        session_data(),
        id="init-id",
    ),
    pytest.param(
        "add-selection",
        "sessions.add_points",
        (SESSION_ID,),
        {"frame_index": 0, "points": [(0, 0), (1, 1), (0.5, 0.25)]},
        selection_data(),
        id="add",
    ),
    pytest.param(
        "delete-selection",
        "sessions.delete_points",
        (SESSION_ID,),
        {"frame_index": 149, "points": [{"x": 0.5, "y": 0.5}]},
        selection_data(149),
        id="delete",
    ),
    pytest.param("clear-selection", "sessions.clear", (SESSION_ID,), {}, {"status": 0}, id="clear"),
    pytest.param(
        "preview-selection", "sessions.preview", (SESSION_ID,), {}, preview_data(), id="preview"
    ),
]


@pytest.mark.parametrize(("route", "method", "args", "kwargs", "answer"), SESSION_CALLS)
async def test_session_bodies_follow_the_spec(
    api: Api,
    httpx_mock: HTTPXMock,
    route: str,
    method: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    answer: dict[str, Any],
) -> None:
    httpx_mock.add_response(url=f"{API}/{route}", method="POST", json=envelope(answer))

    await api(method, *args, **kwargs)

    assert_valid_request(f"{PREFIX}/{route}", _sent_json(httpx_mock))


async def test_get_task_uses_the_documented_path(api: Api, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=f"{API}/{TASK_ID}", method="GET", json=envelope(task_data()))

    await api("tasks.get", TASK_ID)

    (request,) = httpx_mock.get_requests()
    assert request.url.path == f"{PREFIX}/{TASK_ID}"
    assert request.content == b""


@pytest.mark.parametrize(("page", "size"), [(1, 1), (1000, 500), (3, 30)])
async def test_list_query_follows_the_spec(
    api: Api, httpx_mock: HTTPXMock, page: int, size: int
) -> None:
    httpx_mock.add_response(url=f"{API}?pageNum={page}&pageSize={size}", json=envelope([]))

    await api("tasks.list", page=page, page_size=size)

    (request,) = httpx_mock.get_requests()
    declared = {p["name"]: p["schema"] for p in operation("get", PREFIX)["parameters"]}
    assert set(request.url.params) <= set(declared)
    for name, value in request.url.params.items():
        jsonschema.validate(int(value), declared[name])


# The answers the other test files fake, checked against the spec's 200 schemas so that a
# wrapper test can never pass against a shape the service does not send.
FAKED_ANSWERS: dict[str, list[Any]] = {
    "init_selection": [session_data(), session_data(status=1, fps=25.0)],
    "add_selection": [
        selection_data(0, [{"object_id": 1, "rle_mask": {"size": [2, 3], "counts": "231"}}]),
        selection_data(),
    ],
    "delete_selection": [selection_data()],
    "clear_selection": [{"status": 0}],
    "preview_selection": [preview_data()],
    "create_task": [task_data()],
    "get_task": [
        task_data(),
        task_data(status="succeed", external_task_id="x", video_url="https://cdn.test/r.mp4"),
        task_data(status="failed", status_msg="flagged"),
    ],
    "list_tasks": [[task_data(), task_data("task-2")], []],
}


@pytest.mark.parametrize(("method", "path", "operation_id"), ROUTES)
def test_faked_answers_follow_the_spec(method: str, path: str, operation_id: str) -> None:
    validator = response_validator(method, path)
    for data in FAKED_ANSWERS[operation_id]:
        errors = [error.message for error in validator.iter_errors(envelope(data))]
        assert not errors, f"{operation_id} answer breaks the spec: {errors}"
