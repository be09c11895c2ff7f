"""The simulator through in-process httpx transports: every service rule, the task lifecycle on a
FakeClock, callbacks, per-key scoping, faults and downloads."""

from __future__ import annotations

import asyncio
import base64
import struct
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import kling_edit.testing as testing
from kling_edit._masks import Mask, decode_png_rgb, encode_png_rgb
from kling_edit.testing import (
    SAMPLE_COVER,
    SAMPLE_IMAGE,
    SAMPLE_VIDEO,
    FakeClock,
    Faults,
    RouteFaults,
    Simulator,
    VideoInfo,
)

API = "/kling/v1/videos/multi-elements"
KEY = "sk-test"
DAY = 24 * 3600.0
SAMPLE_IMAGE_B64 = base64.b64encode(SAMPLE_IMAGE.read_bytes()).decode()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def callbacks() -> list[tuple[str, dict[str, Any]]]:
    return []


@pytest.fixture
def sim(clock: FakeClock, callbacks: list[tuple[str, dict[str, Any]]]) -> Simulator:
    return Simulator(clock=clock, callback_sender=lambda url, task: callbacks.append((url, task)))


def _client(sim: Simulator, key: str | None = KEY) -> httpx.Client:
    headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
    return httpx.Client(transport=sim.transport(), base_url=sim.base_url, headers=headers)


@pytest.fixture
def client(sim: Simulator) -> Iterator[httpx.Client]:
    with _client(sim) as http:
        yield http


def ok(response: httpx.Response) -> Any:
    """The ``data`` of a successful envelope."""
    envelope = response.json()
    assert (response.status_code, envelope["code"], envelope["message"]) == (200, 0, "SUCCEED")
    return envelope["data"]


def error(response: httpx.Response) -> tuple[int, int]:
    """``(HTTP status, code)`` of an error envelope, after checking its shape."""
    envelope = response.json()
    assert envelope["data"] is None
    assert envelope["request_id"] == response.headers["X-Request-Id"]
    return response.status_code, envelope["code"]


def init(client: httpx.Client, **body: Any) -> dict[str, Any]:
    payload = body or {"video_url": "https://videos.example/clip.mp4"}
    data: dict[str, Any] = ok(client.post(f"{API}/init-selection", json=payload))
    return data


def add(
    client: httpx.Client, session_id: str, frame: int = 0, points: Any = None
) -> httpx.Response:
    points = [{"x": 0.125, "y": 0.5}] if points is None else points
    body = {"session_id": session_id, "frame_index": frame, "points": points}
    return client.post(f"{API}/add-selection", json=body)


def delete(client: httpx.Client, session_id: str, frame: int, points: Any) -> httpx.Response:
    body = {"session_id": session_id, "frame_index": frame, "points": points}
    return client.post(f"{API}/delete-selection", json=body)


def create(client: httpx.Client, session_id: str, /, **fields: Any) -> httpx.Response:
    # A field given as ... is left out of the body.
    body: dict[str, Any] = {
        "session_id": session_id,
        "edit_mode": "removal",
        "prompt": "Remove it from <<<video_1>>>",
    }
    body.update(fields)
    return client.post(API, json={key: value for key, value in body.items() if value is not ...})


@pytest.fixture
def session_id(client: httpx.Client) -> str:
    session: str = init(client)["session_id"]
    return session


@pytest.fixture
def marked_session(client: httpx.Client, session_id: str) -> str:
    ok(add(client, session_id))
    return session_id


# --- envelope, routing, auth ----------------------------------------------------------------


def test_success_envelope_carries_request_id(client: httpx.Client) -> None:
    response = client.post(f"{API}/init-selection", json={"video_id": "kling-video-1"})
    envelope = response.json()
    assert (
        envelope["request_id"]
        == response.headers["X-Request-Id"]
        == str(uuid.UUID(envelope["request_id"]))
    )


def test_paths_without_kling_prefix_work(client: httpx.Client) -> None:
    response = client.post("/v1/videos/multi-elements/init-selection", json={"video_id": "v"})
    assert ok(response)["status"] == 0


def test_unknown_route_is_1203(client: httpx.Client) -> None:
    assert error(client.get("/kling/v2/elsewhere")) == (404, 1203)


def test_wrong_method_is_1202(client: httpx.Client) -> None:
    assert error(client.get(f"{API}/init-selection")) == (400, 1202)


def test_missing_key_is_1001(sim: Simulator) -> None:
    with _client(sim, key=None) as anonymous:
        assert error(anonymous.post(f"{API}/init-selection", json={})) == (401, 1001)


def test_empty_bearer_is_1001(sim: Simulator) -> None:
    with _client(sim, key="") as anonymous:
        assert error(anonymous.post(f"{API}/init-selection", json={})) == (401, 1001)


def test_restricted_key_refuses_others_with_1002() -> None:
    with _client(Simulator(api_key="sk-right"), key="sk-wrong") as wrong:
        assert error(wrong.post(f"{API}/init-selection", json={"video_id": "v"})) == (401, 1002)


def test_restricted_key_accepts_itself() -> None:
    with _client(Simulator(api_key="sk-right"), key="sk-right") as right:
        assert init(right, video_id="v")["status"] == 0


def test_body_must_be_a_json_object(client: httpx.Client) -> None:
    response = client.post(f"{API}/init-selection", content=b"[1, 2]")
    assert error(response) == (400, 1201)


# --- per-key scoping ------------------------------------------------------------------------


def test_sessions_are_invisible_to_other_keys(sim: Simulator, session_id: str) -> None:
    with _client(sim, key="sk-other") as other:
        assert error(add(other, session_id)) == (404, 1203)


def test_tasks_are_invisible_to_other_keys(
    sim: Simulator, client: httpx.Client, session_id: str
) -> None:
    task_id = ok(create(client, session_id))["task_id"]
    with _client(sim, key="sk-other") as other:
        assert error(other.get(f"{API}/{task_id}")) == (404, 1203)


def test_external_task_id_is_unique_per_key_only(sim: Simulator, client: httpx.Client) -> None:
    ok(create(client, init(client)["session_id"], external_task_id="job-1"))
    with _client(sim, key="sk-other") as other:
        other_session = init(other)["session_id"]
        assert ok(create(other, other_session, external_task_id="job-1"))["task_status"]


def test_list_shows_only_own_tasks(sim: Simulator, client: httpx.Client, session_id: str) -> None:
    ok(create(client, session_id))
    with _client(sim, key="sk-other") as other:
        assert ok(other.get(API)) == []


# --- init-selection -------------------------------------------------------------------------


def test_init_reports_the_video(client: httpx.Client) -> None:
    data = init(client)
    normalized = data.pop("normalized_video")
    data.pop("session_id")
    assert (data, normalized.endswith("/normalized.mp4")) == (
        {
            "fps": 30.0,
            "original_duration": 5000,
            "width": 1280,
            "height": 720,
            "total_frame": 150,
            "status": 0,
            "final_unit_deduction": "0.2",
        },
        True,
    )


def test_normalized_video_is_served(client: httpx.Client) -> None:
    assert client.get(init(client)["normalized_video"]).content == SAMPLE_VIDEO.read_bytes()


@pytest.mark.parametrize(
    "body",
    [
        {"video_url": "https://v.example/a.mp4", "video_id": "v"},
        {},
        {"video_url": "ftp://v.example/a.mp4"},
        {"video_url": "https://v.example/a.avi"},
        {"video_url": ""},
        {"video_id": 12},
    ],
    ids=["both", "neither", "not-http", "not-mp4-or-mov", "empty-url", "id-not-string"],
)
def test_init_rejects_bad_sources(client: httpx.Client, body: dict[str, Any]) -> None:
    assert error(client.post(f"{API}/init-selection", json=body)) == (400, 1201)


def test_init_accepts_mov_with_query(client: httpx.Client) -> None:
    assert init(client, video_url="https://v.example/clip.MOV?sig=1")["status"] == 0


@pytest.mark.parametrize(
    "video",
    [
        VideoInfo(fps=25.0),
        VideoInfo(width=640),
        VideoInfo(height=2400),
        VideoInfo(duration_ms=1500),
        VideoInfo(duration_ms=6000),
        VideoInfo(duration_ms=11000),
    ],
    ids=["fps", "narrow", "tall", "short", "between-ranges", "long"],
)
def test_init_reports_rejected_videos_with_nonzero_status(video: VideoInfo) -> None:
    with _client(Simulator(probe=lambda source: video)) as http:
        assert init(http)["status"] != 0


def test_rejected_video_gives_no_usable_session() -> None:
    with _client(Simulator(probe=lambda source: VideoInfo(fps=12.0))) as http:
        assert error(add(http, init(http)["session_id"])) == (404, 1203)


@pytest.mark.parametrize(
    ("video", "total_frame"),
    [(VideoInfo(24.0, 7000, 720, 1280), 168), (VideoInfo(60.0, 10500, 2160, 2160), 630)],
)
def test_init_accepts_videos_within_limits(video: VideoInfo, total_frame: int) -> None:
    with _client(Simulator(probe=lambda source: video)) as http:
        data = init(http)
    assert (data["status"], data["total_frame"]) == (0, total_frame)


def test_probe_sees_the_url_or_id() -> None:
    seen: list[str] = []

    def probe(source: str) -> VideoInfo:
        seen.append(source)
        return VideoInfo()

    with _client(Simulator(probe=probe)) as http:
        init(http, video_id="kling-42")
    assert seen == ["kling-42"]


# --- add / delete / clear -------------------------------------------------------------------


def _object_mask(data: dict[str, Any]) -> tuple[Mask, Mask]:
    [item] = data["res"]["rle_mask_list"]
    rle, png = item["rle_mask"], item["png_mask"]
    return Mask.from_rle(rle["size"], rle["counts"]), Mask.from_png(base64.b64decode(png["base64"]))


def test_add_answers_the_same_mask_as_rle_and_png(client: httpx.Client, session_id: str) -> None:
    rle_mask, png_mask = _object_mask(ok(add(client, session_id)))
    assert rle_mask == png_mask


def test_add_mask_grows_around_the_point(client: httpx.Client, session_id: str) -> None:
    mask, _ = _object_mask(ok(add(client, session_id, points=[{"x": 0.125, "y": 0.5}])))
    assert (mask.height, mask.width, mask[360, 160], mask[360, 400], mask[0, 0]) == (
        720,
        1280,
        True,
        False,
        False,
    )


def test_add_answer_shape(client: httpx.Client, session_id: str) -> None:
    data = ok(add(client, session_id, frame=7))
    [item] = data["res"]["rle_mask_list"]
    assert (data["status"], data["res"]["frame_index"], item["object_id"]) == (0, 7, 1)


@pytest.mark.parametrize("frame", [-1, 150, "0", 1.0, True, None])
def test_frame_index_must_be_an_int_below_total_frame(
    client: httpx.Client, session_id: str, frame: Any
) -> None:
    assert error(add(client, session_id, frame=frame)) == (400, 1201)


def test_last_frame_is_total_frame_minus_one(client: httpx.Client, session_id: str) -> None:
    assert ok(add(client, session_id, frame=149))["res"]["frame_index"] == 149


@pytest.mark.parametrize(
    "points",
    [
        [],
        [{"x": 0.1, "y": 0.1}] * 11,
        [{"x": 1.5, "y": 0.5}],
        [{"x": -0.1, "y": 0.5}],
        [{"x": 0.5}],
        [{"x": "0.5", "y": 0.5}],
        [{"x": True, "y": 0.5}],
        {"x": 0.5, "y": 0.5},
        None,
    ],
    ids=["empty", "eleven", "x>1", "x<0", "no-y", "string", "bool", "not-list", "missing"],
)
def test_points_rules(client: httpx.Client, session_id: str, points: Any) -> None:
    body = {"session_id": session_id, "frame_index": 0, "points": points}
    assert error(client.post(f"{API}/add-selection", json=body)) == (400, 1201)


def test_ten_points_and_corner_values_are_fine(client: httpx.Client, session_id: str) -> None:
    points = [{"x": i / 9, "y": 1 - i / 9} for i in range(10)]
    assert ok(add(client, session_id, points=points))["status"] == 0


def test_at_most_ten_marked_frames(client: httpx.Client, session_id: str) -> None:
    for frame in range(10):
        ok(add(client, session_id, frame=frame))
    assert error(add(client, session_id, frame=10)) == (400, 1201)


def test_an_already_marked_frame_takes_more_points_at_the_limit(
    client: httpx.Client, session_id: str
) -> None:
    for frame in range(10):
        ok(add(client, session_id, frame=frame))
    assert ok(add(client, session_id, frame=3, points=[{"x": 0.9, "y": 0.9}]))["status"] == 0


def test_unknown_session_is_1203(client: httpx.Client) -> None:
    assert error(add(client, "no-such-session")) == (404, 1203)


def test_session_lives_24_hours(client: httpx.Client, clock: FakeClock, session_id: str) -> None:
    clock.advance(DAY - 1)
    ok(add(client, session_id))
    clock.advance(1)
    assert error(add(client, session_id)) == (404, 1203)


def test_delete_removes_exactly_matching_points(client: httpx.Client, session_id: str) -> None:
    ok(add(client, session_id, points=[{"x": 0.2, "y": 0.2}, {"x": 0.8, "y": 0.8}]))
    data = ok(delete(client, session_id, 0, [{"x": 0.2, "y": 0.2}]))
    mask, _ = _object_mask(data)
    assert (mask[144, 256], mask[575, 1023]) == (False, True)


def test_delete_of_the_last_point_leaves_no_object(client: httpx.Client, session_id: str) -> None:
    ok(add(client, session_id))
    data = ok(delete(client, session_id, 0, [{"x": 0.125, "y": 0.5}]))
    assert data["res"]["rle_mask_list"] == []


@pytest.mark.parametrize(
    ("frame", "points"),
    [(0, [{"x": 0.125, "y": 0.50001}]), (1, [{"x": 0.125, "y": 0.5}])],
    ids=["other-point", "other-frame"],
)
def test_delete_needs_points_that_were_added(
    client: httpx.Client, session_id: str, frame: int, points: list[dict[str, float]]
) -> None:
    ok(add(client, session_id))
    assert error(delete(client, session_id, frame, points)) == (400, 1201)


def test_deleting_a_frame_frees_its_slot(client: httpx.Client, session_id: str) -> None:
    for frame in range(10):
        ok(add(client, session_id, frame=frame))
    ok(delete(client, session_id, 0, [{"x": 0.125, "y": 0.5}]))
    assert ok(add(client, session_id, frame=20))["status"] == 0


def test_clear_resets_all_points(client: httpx.Client, marked_session: str) -> None:
    clear = client.post(f"{API}/clear-selection", json={"session_id": marked_session})
    preview = client.post(f"{API}/preview-selection", json={"session_id": marked_session})
    assert (ok(clear), error(preview)) == ({"status": 0}, (400, 1201))


# --- preview --------------------------------------------------------------------------------


def test_preview_needs_a_point(client: httpx.Client, session_id: str) -> None:
    response = client.post(f"{API}/preview-selection", json={"session_id": session_id})
    assert error(response) == (400, 1201)


def test_preview_files_are_served(client: httpx.Client, marked_session: str) -> None:
    res = ok(client.post(f"{API}/preview-selection", json={"session_id": marked_session}))["res"]
    video = client.get(res["video"])
    cover = client.get(res["video_cover"])
    assert (video.headers["content-type"], video.content, cover.content) == (
        "video/mp4",
        SAMPLE_VIDEO.read_bytes(),
        SAMPLE_COVER.read_bytes(),
    )


def test_tracking_output_is_the_selection_mask(client: httpx.Client, session_id: str) -> None:
    mask, _ = _object_mask(ok(add(client, session_id, frame=4)))
    res = ok(client.post(f"{API}/preview-selection", json={"session_id": session_id}))["res"]
    assert Mask.from_png(client.get(res["tracking_output"]).content) == mask


def test_cover_is_a_720p_png(client: httpx.Client, marked_session: str) -> None:
    res = ok(client.post(f"{API}/preview-selection", json={"session_id": marked_session}))["res"]
    width, height, _ = decode_png_rgb(client.get(res["video_cover"]).content)
    assert (width, height) == (1280, 720)


def test_files_of_unknown_sessions_are_404(client: httpx.Client) -> None:
    response = client.get("/files/sessions/nope/cover.png")
    assert (response.status_code, response.headers["content-type"]) == (
        404,
        "text/plain; charset=utf-8",
    )


# --- create task ----------------------------------------------------------------------------


def test_create_answers_a_submitted_task(
    client: httpx.Client, clock: FakeClock, session_id: str
) -> None:
    data = ok(create(client, session_id, external_task_id="mine-1"))
    created = round(clock.now * 1000)
    assert {key: data[key] for key in ("task_status", "created_at", "updated_at", "task_info")} == {
        "task_status": "submitted",
        "created_at": created,
        "updated_at": created,
        "task_info": {"external_task_id": "mine-1"},
    }


def test_create_records_the_task(sim: Simulator, client: httpx.Client, session_id: str) -> None:
    task_id = ok(create(client, session_id, mode="pro"))["task_id"]
    [task] = sim.tasks
    assert (task.task_id, task.api_key, task.body["mode"]) == (task_id, KEY, "pro")


def test_create_on_unknown_session_is_1203(client: httpx.Client) -> None:
    assert error(create(client, "nope")) == (404, 1203)


def _jpeg(width: int, height: int) -> str:
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 3) + bytes(9)
    return base64.b64encode(b"\xff\xd8" + b"\xff\xe0\x00\x04ab" + sof + b"\xff\xd9").decode()


def _png_b64(width: int, height: int) -> str:
    return base64.b64encode(encode_png_rgb(width, height, bytes(width * height * 3))).decode()


URL_IMAGE = {"image": "https://images.example/object.jpg"}


@pytest.mark.parametrize(
    "fields",
    [
        {"edit_mode": "addition", "image_list": [URL_IMAGE], "prompt": "Add <<<image_1>>>"},
        {"edit_mode": "addition", "image_list": [URL_IMAGE] * 2, "prompt": "<<<image_2>>>"},
        {"edit_mode": "swap", "image_list": [{"image": SAMPLE_IMAGE_B64}]},
        {"edit_mode": "swap", "image_list": [{"image": _jpeg(1000, 400)}]},
        {"edit_mode": "removal"},
        {"duration": "5", "mode": "std", "model_name": "kling-v1-6"},
        {"negative_prompt": "n" * 2500, "prompt": "p" * 2500},
        {"callback_url": "https://hooks.example/kling", "external_task_id": "x"},
        {"watermark_info": {"enabled": False}, "negative_prompt": None},
    ],
    ids=[
        "addition-1",
        "addition-2",
        "swap-base64-png",
        "swap-base64-jpeg",
        "removal",
        "explicit-defaults",
        "longest-prompts",
        "callback-and-id",
        "extra-and-null",
    ],
)
def test_create_accepts_valid_bodies(
    client: httpx.Client, session_id: str, fields: dict[str, Any]
) -> None:
    assert ok(create(client, session_id, **fields))["task_status"] == "submitted"


@pytest.mark.parametrize(
    "fields",
    [
        {"edit_mode": "replace"},
        {"edit_mode": ...},
        {"edit_mode": "addition"},
        {"edit_mode": "addition", "image_list": []},
        {"edit_mode": "addition", "image_list": [URL_IMAGE] * 3},
        {"edit_mode": "swap", "image_list": [URL_IMAGE] * 2},
        {"edit_mode": "removal", "image_list": []},
        {"edit_mode": "swap", "image_list": ["https://images.example/a.png"]},
        {"edit_mode": "swap", "image_list": [{"image": "ftp://images.example/a.png"}]},
        {
            "edit_mode": "swap",
            "image_list": [{"image": "data:image/png;base64," + _png_b64(300, 300)}],
        },
        {"edit_mode": "swap", "image_list": [{"image": "not base64!"}]},
        {"edit_mode": "swap", "image_list": [{"image": base64.b64encode(b"GIF89a...").decode()}]},
        {"edit_mode": "swap", "image_list": [{"image": _png_b64(299, 400)}]},
        {"edit_mode": "swap", "image_list": [{"image": _png_b64(900, 300)}]},
        {"edit_mode": "swap", "image_list": [{"image": _jpeg(300, 800)}]},
        {"prompt": ...},
        {"prompt": ""},
        {"prompt": "p" * 2501},
        {"prompt": 5},
        {"negative_prompt": "n" * 2501},
        {"prompt": "Use <<<image_1>>> in <<<video_1>>>"},
        {"edit_mode": "addition", "image_list": [URL_IMAGE], "prompt": "<<<image_2>>>"},
        {"prompt": "Edit <<<video_2>>>"},
        {"model_name": "kling-v2"},
        {"mode": "fast"},
        {"duration": 5},
        {"duration": "7"},
        {"duration": ["5"]},
        {"duration": "10"},
        {"callback_url": "ftp://hooks.example/x"},
        {"external_task_id": ""},
        {"session_id": ""},
    ],
    ids=[
        "mode-unknown",
        "mode-missing",
        "addition-no-images",
        "addition-empty",
        "addition-three",
        "swap-two",
        "removal-with-list",
        "item-not-object",
        "image-ftp",
        "image-data-uri",
        "image-not-base64",
        "image-gif",
        "image-too-narrow",
        "image-too-wide-ratio",
        "jpeg-too-tall-ratio",
        "prompt-missing",
        "prompt-empty",
        "prompt-too-long",
        "prompt-not-string",
        "negative-too-long",
        "placeholder-without-images",
        "placeholder-beyond-images",
        "placeholder-video-2",
        "model",
        "mode",
        "duration-number",
        "duration-7",
        "duration-list",
        "duration-10-for-5s-video",
        "callback-not-http",
        "external-empty",
        "session-empty",
    ],
)
def test_create_rejects_invalid_bodies_with_1201(
    client: httpx.Client, session_id: str, fields: dict[str, Any]
) -> None:
    assert error(create(client, session_id, **fields)) == (400, 1201)


def test_oversized_image_is_1201(client: httpx.Client, session_id: str) -> None:
    big = encode_png_rgb(400, 400, bytes(400 * 400 * 3)) + bytes(10 * 1024 * 1024)
    image = {"image": base64.b64encode(big).decode()}
    response = create(client, session_id, edit_mode="swap", image_list=[image])
    assert error(response) == (400, 1201)


@pytest.mark.parametrize(("duration", "accepted"), [("10", True), ("5", False)])
def test_duration_must_fit_the_source_video(duration: str, accepted: bool) -> None:
    with _client(Simulator(probe=lambda source: VideoInfo(duration_ms=8000))) as http:
        response = create(http, init(http)["session_id"], duration=duration)
        assert (response.status_code == 200) is accepted


def test_duplicate_external_task_id(client: httpx.Client, session_id: str) -> None:
    ok(create(client, session_id, external_task_id="once"))
    response = create(client, session_id, external_task_id="once")
    assert (error(response), "external_task_id already exists" in response.json()["message"]) == (
        (400, 1201),
        True,
    )


def test_max_active_tasks_gives_1303(clock: FakeClock) -> None:
    with _client(Simulator(clock=clock, max_active_tasks=2)) as http:
        session = init(http)["session_id"]
        ok(create(http, session))
        ok(create(http, session))
        assert error(create(http, session)) == (429, 1303)


def test_finished_tasks_free_their_slot(clock: FakeClock) -> None:
    with _client(Simulator(clock=clock, max_active_tasks=1)) as http:
        session = init(http)["session_id"]
        ok(create(http, session))
        clock.advance(2.0)
        assert ok(create(http, session))["task_status"] == "submitted"


# --- lifecycle ------------------------------------------------------------------------------


def _status(client: httpx.Client, task_id: str) -> dict[str, Any]:
    data: dict[str, Any] = ok(client.get(f"{API}/{task_id}"))
    return data


def test_lifecycle_follows_the_clock(
    client: httpx.Client, clock: FakeClock, session_id: str
) -> None:
    task_id = ok(create(client, session_id))["task_id"]
    seen = [_status(client, task_id)["task_status"]]
    for step in (0.29, 0.01, 1.69, 0.01):
        clock.advance(step)
        seen.append(_status(client, task_id)["task_status"])
    assert seen == ["submitted", "submitted", "processing", "processing", "succeed"]


def test_succeeded_task_object(client: httpx.Client, clock: FakeClock, session_id: str) -> None:
    created = ok(create(client, session_id, duration="5"))
    clock.advance(10)
    task = _status(client, created["task_id"])
    [video] = task["task_result"]["videos"]
    assert (
        task["task_status_msg"],
        task["updated_at"] - task["created_at"],
        video["duration"],
        video["url"].endswith(f"/files/results/{created['task_id']}.mp4"),
    ) == ("", 2000, "5.0", True)


def test_unfinished_task_has_no_result(client: httpx.Client, session_id: str) -> None:
    assert "task_result" not in ok(create(client, session_id))


def test_simulate_failure_prompt_fails(
    client: httpx.Client, clock: FakeClock, session_id: str
) -> None:
    task_id = ok(create(client, session_id, prompt="SIMULATE_FAILURE <<<video_1>>>"))["task_id"]
    clock.advance(2)
    task = _status(client, task_id)
    assert (task["task_status"], "SIMULATE_FAILURE" in task["task_status_msg"]) == ("failed", True)


def test_fail_when_decides_failures(clock: FakeClock) -> None:
    sim = Simulator(
        clock=clock, fail_when=lambda body: "too pro" if body.get("mode") == "pro" else None
    )
    with _client(sim) as http:
        session = init(http)["session_id"]
        failing, passing = ok(create(http, session, mode="pro")), ok(create(http, session))
        clock.advance(2)
        outcome = [_status(http, task["task_id"]) for task in (failing, passing)]
    assert [(task["task_status"], task["task_status_msg"]) for task in outcome] == [
        ("failed", "too pro"),
        ("succeed", ""),
    ]


def test_get_accepts_the_external_task_id(client: httpx.Client, session_id: str) -> None:
    task_id = ok(create(client, session_id, external_task_id="order-77"))["task_id"]
    assert _status(client, "order-77")["task_id"] == task_id


def test_get_unknown_task_is_1203(client: httpx.Client) -> None:
    assert error(client.get(f"{API}/does-not-exist")) == (404, 1203)


def test_list_is_newest_first_and_paged(
    client: httpx.Client, clock: FakeClock, session_id: str
) -> None:
    ids = []
    for _ in range(5):
        ids.append(ok(create(client, session_id))["task_id"])
        clock.advance(1)
    page = ok(client.get(API, params={"pageNum": 2, "pageSize": 2}))
    assert [task["task_id"] for task in page] == [ids[2], ids[1]]


def test_list_defaults_to_30_per_page(client: httpx.Client, session_id: str) -> None:
    for _ in range(31):
        ok(create(client, session_id))
    assert len(ok(client.get(API))) == 30


@pytest.mark.parametrize(
    "params",
    [{"pageNum": 0}, {"pageNum": 1001}, {"pageSize": 501}, {"pageSize": "ten"}],
)
def test_list_checks_paging(client: httpx.Client, params: dict[str, Any]) -> None:
    assert error(client.get(API, params=params)) == (400, 1201)


# --- callbacks ------------------------------------------------------------------------------


def test_callbacks_follow_each_status_change(
    sim: Simulator,
    client: httpx.Client,
    clock: FakeClock,
    callbacks: list[tuple[str, dict[str, Any]]],
    session_id: str,
) -> None:
    ok(create(client, session_id, callback_url="https://hooks.example/k"))
    sim.tick()
    clock.advance(0.5)
    sim.tick()
    clock.advance(5)
    sim.tick()
    sim.tick()
    assert [(url, task["task_status"]) for url, task in callbacks] == [
        ("https://hooks.example/k", "submitted"),
        ("https://hooks.example/k", "processing"),
        ("https://hooks.example/k", "succeed"),
    ]


def test_callbacks_catch_up_in_order_after_a_jump(
    sim: Simulator,
    client: httpx.Client,
    clock: FakeClock,
    callbacks: list[tuple[str, dict[str, Any]]],
    session_id: str,
) -> None:
    ok(create(client, session_id, callback_url="https://hooks.example/k"))
    clock.advance(60)
    sim.tick()
    updated = [task["updated_at"] - task["created_at"] for _, task in callbacks]
    assert updated == [0, 300, 2000]


def test_callback_carries_the_task_object(
    sim: Simulator,
    client: httpx.Client,
    clock: FakeClock,
    callbacks: list[tuple[str, dict[str, Any]]],
    session_id: str,
) -> None:
    task_id = ok(create(client, session_id, callback_url="https://hooks.example/k"))["task_id"]
    clock.advance(2)
    sim.tick()
    assert callbacks[-1][1] == _status(client, task_id)


def test_no_callback_url_no_callbacks(
    sim: Simulator,
    client: httpx.Client,
    clock: FakeClock,
    callbacks: list[tuple[str, dict[str, Any]]],
    session_id: str,
) -> None:
    ok(create(client, session_id))
    clock.advance(5)
    sim.tick()
    assert callbacks == []


def test_failing_sender_is_recorded(clock: FakeClock) -> None:
    def refuse(url: str, task: dict[str, Any]) -> None:
        raise RuntimeError("endpoint down")

    sim = Simulator(clock=clock, callback_sender=refuse)
    with _client(sim) as http:
        ok(create(http, init(http)["session_id"], callback_url="https://hooks.example/k"))
    sim.tick()
    [(url, exc)] = sim.callback_errors
    assert (url, str(exc)) == ("https://hooks.example/k", "endpoint down")


def test_default_sender_records_unreachable_endpoints(clock: FakeClock) -> None:
    sim = Simulator(clock=clock)
    with _client(sim) as http:
        # Port 9 (discard) on loopback: nothing listens, the POST fails at once.
        ok(create(http, init(http)["session_id"], callback_url="http://127.0.0.1:9/hook"))
    sim.tick()
    [(_, exc)] = sim.callback_errors
    assert isinstance(exc, httpx.ConnectError)


# --- result downloads -----------------------------------------------------------------------


def _finished_result_url(client: httpx.Client, clock: FakeClock) -> str:
    task_id = ok(create(client, init(client)["session_id"]))["task_id"]
    clock.advance(2)
    url: str = _status(client, task_id)["task_result"]["videos"][0]["url"]
    return url


def test_result_is_the_sample_video(client: httpx.Client, clock: FakeClock) -> None:
    response = client.get(_finished_result_url(client, clock))
    assert (response.headers["content-type"], response.content) == (
        "video/mp4",
        SAMPLE_VIDEO.read_bytes(),
    )


def test_padded_result_streams_in_chunks_with_a_free_box(clock: FakeClock) -> None:
    sample = SAMPLE_VIDEO.read_bytes()
    size = 3 * 1024 * 1024 + 5
    with _client(Simulator(clock=clock, result_size_bytes=size)) as http:
        url = _finished_result_url(http, clock)
        with http.stream("GET", url) as response:
            chunks = list(response.iter_raw())
    body = b"".join(chunks)
    header = struct.pack(">I4s", size - len(sample), b"free")
    assert (
        int(response.headers["content-length"]),
        len(body),
        max(map(len, chunks)) <= 1024 * 1024,
        body[: len(sample)] == sample,
        body[len(sample) : len(sample) + 8] == header,
        body[len(sample) + 8 :].count(0) == size - len(sample) - 8,
    ) == (size, size, True, True, True, True)


def test_result_size_must_leave_room_for_a_free_box() -> None:
    with pytest.raises(ValueError, match="free"):
        Simulator(result_size_bytes=SAMPLE_VIDEO.stat().st_size + 3)


def test_result_expires_after_30_days(client: httpx.Client, clock: FakeClock) -> None:
    url = _finished_result_url(client, clock)
    clock.advance(30 * DAY - 1)
    before = client.get(url).status_code
    clock.advance(1)
    after = client.get(url)
    assert (before, after.status_code, "expired" in after.text) == (200, 404, True)


def test_unfinished_result_is_404(client: httpx.Client, session_id: str) -> None:
    task_id = ok(create(client, session_id))["task_id"]
    assert client.get(f"/files/results/{task_id}.mp4").status_code == 404


# --- faults ---------------------------------------------------------------------------------


def _faulty(**settings: Any) -> Simulator:
    return Simulator(faults=Faults({"*": RouteFaults(**settings)}))


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"rate_429": 1.0}, (429, 1302)),
        ({"rate_500": 1.0}, (500, 5000)),
        ({"rate_503": 1.0}, (503, 5001)),
    ],
)
def test_error_faults(settings: dict[str, float], expected: tuple[int, int]) -> None:
    with _client(_faulty(**settings)) as http:
        assert error(http.post(f"{API}/init-selection", json={"video_id": "v"})) == expected


@pytest.mark.parametrize(
    ("settings", "retry_after"),
    [({"rate_429": 1.0}, "3"), ({"rate_503": 1.0}, "3"), ({"rate_500": 1.0}, None)],
)
def test_retry_after_on_429_and_503(settings: dict[str, float], retry_after: str | None) -> None:
    with _client(_faulty(retry_after=3, **settings)) as http:
        assert http.get(API).headers.get("Retry-After") == retry_after


def test_drop_raises_connect_error_and_processes_nothing() -> None:
    sim = _faulty(rate_drop=1.0)
    with _client(sim) as http, pytest.raises(httpx.ConnectError) as caught:
        http.post(API, json={})
    assert (caught.value.request.url.path, sim.tasks) == (API, ())


def test_timeout_raises_read_timeout() -> None:
    with _client(_faulty(rate_timeout=1.0)) as http, pytest.raises(httpx.ReadTimeout):
        http.get(API)


def test_lost_response_still_creates_the_task(sim: Simulator, client: httpx.Client) -> None:
    session = init(client)["session_id"]
    sim.faults = Faults({"create": RouteFaults(rate_lost_response=1.0)})
    with pytest.raises(httpx.RemoteProtocolError):
        create(client, session, external_task_id="lost-1")
    sim.faults = Faults()
    assert _status(client, "lost-1")["task_id"] == sim.tasks[0].task_id


def test_latency_delays_answers() -> None:
    with _client(_faulty(latency=0.05)) as http:
        started = time.perf_counter()
        http.get(API)
        assert time.perf_counter() - started >= 0.05


def test_route_entry_replaces_the_star_entry() -> None:
    sim = Simulator(faults=Faults({"*": RouteFaults(rate_500=1.0), "list": RouteFaults()}))
    with _client(sim) as http:
        assert (http.get(API).status_code, http.get(f"{API}/x").status_code) == (200, 500)


def _outcomes(seed: int) -> list[int]:
    sim = Simulator(faults=Faults({"*": RouteFaults(rate_429=0.3, rate_500=0.3)}, seed=seed))
    with _client(sim) as http:
        return [http.get(API).status_code for _ in range(40)]


def test_faults_replay_from_their_seed() -> None:
    assert _outcomes(7) == _outcomes(7) != _outcomes(8)


def test_request_counters_include_faulted_requests() -> None:
    sim = _faulty(rate_500=1.0)
    with _client(sim) as http:
        http.get(API)
        http.get(API)
        http.get(f"{API}/x")
    assert sim.requests == {"list": 2, "get": 1}


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (lambda: Faults({"upload": RouteFaults()}), "unknown fault routes"),
        (lambda: RouteFaults(rate_429=0.6, rate_500=0.6), "add up to at most 1"),
        (lambda: RouteFaults(rate_drop=-0.1), "probability"),
        (lambda: RouteFaults(latency=-1), "must not be negative"),
    ],
)
def test_fault_settings_are_validated(factory: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        factory()


# --- async transport ------------------------------------------------------------------------


def _async_client(sim: Simulator) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=sim.async_transport(),
        base_url=sim.base_url,
        headers={"Authorization": f"Bearer {KEY}"},
    )


async def test_async_latency_overlaps() -> None:
    async with _async_client(_faulty(latency=0.2)) as http:
        started = time.perf_counter()
        await asyncio.gather(*(http.get(API) for _ in range(20)))
        assert time.perf_counter() - started < 1.0


async def test_async_faults_raise() -> None:
    async with _async_client(_faulty(rate_lost_response=1.0)) as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get(API)


async def test_async_streamed_download() -> None:
    sim = Simulator(submit_seconds=0, job_seconds=0, result_size_bytes=2 * 1024 * 1024)
    async with _async_client(sim) as http:
        session = (await http.post(f"{API}/init-selection", json={"video_id": "v"})).json()
        body = {"session_id": session["data"]["session_id"], "edit_mode": "removal", "prompt": "x"}
        task_id = (await http.post(API, json=body)).json()["data"]["task_id"]
        async with http.stream("GET", f"/files/results/{task_id}.mp4") as response:
            sizes = [len(chunk) async for chunk in response.aiter_raw()]
    assert sum(sizes) == 2 * 1024 * 1024


async def test_a_thousand_concurrent_jobs() -> None:
    sim = Simulator(submit_seconds=0.0, job_seconds=0.05)

    async def job(http: httpx.AsyncClient, number: int) -> str:
        init = await http.post(f"{API}/init-selection", json={"video_id": f"v{number}"})
        session = init.json()["data"]["session_id"]
        points = {"session_id": session, "frame_index": 0, "points": [{"x": 0.5, "y": 0.5}]}
        await http.post(f"{API}/add-selection", json=points)
        body = {"session_id": session, "edit_mode": "removal", "prompt": "x"}
        task_id = (await http.post(API, json=body)).json()["data"]["task_id"]
        while True:
            task = (await http.get(f"{API}/{task_id}")).json()["data"]
            if task["task_status"] == "succeed":
                return str(task["task_status"])
            await asyncio.sleep(0.05)

    started = time.perf_counter()
    async with _async_client(sim) as http:
        results = await asyncio.gather(*(job(http, n) for n in range(1000)))
    elapsed = time.perf_counter() - started
    assert (results.count("succeed"), len(sim.tasks), elapsed < 10) == (1000, 1000, True)


# --- the package ----------------------------------------------------------------------------


def test_public_names_are_sorted_and_importable() -> None:
    assert testing.__all__ == sorted(testing.__all__, key=lambda name: (not name.isupper(), name))
    assert all(hasattr(testing, name) for name in testing.__all__)


def test_importing_kling_edit_does_not_load_the_simulator() -> None:
    code = "import sys, kling_edit; print('kling_edit.testing' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
