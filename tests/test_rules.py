"""Input rules: every broken rule raises RequestValidationError before a request leaves."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytest_httpx import HTTPXMock

from kling_edit import KlingEditError, PromptWarning, RequestValidationError
from kling_edit._rules import DURATION_SOURCE_RULE, video_problems
from wrapper_helpers import (
    ADD_URL,
    API,
    DELETE_URL,
    INIT_URL,
    PROMPT,
    SESSION_ID,
    Api,
    envelope,
    jpeg_bytes,
    png_bytes,
    selection_data,
    session_data,
    task_data,
)

# The rule table's image size limit, written out (not the client's constant).
TEN_MB = 10 * 1024 * 1024
IMAGE_URL = "https://images.test/object.png"
VALID_PNG = png_bytes(400, 400)


async def _refused(
    api: Api, httpx_mock: HTTPXMock, method: str, *args: Any, **kwargs: Any
) -> RequestValidationError:
    sent_before = len(httpx_mock.get_requests())
    with pytest.raises(RequestValidationError) as caught:
        await api(method, *args, **kwargs)
    assert len(httpx_mock.get_requests()) == sent_before, "a refused call reached the network"
    error = caught.value
    assert isinstance(error, KlingEditError)
    assert isinstance(error, ValueError)
    assert str(error).startswith(f"{error.field}: ")
    return error


def _create(**overrides: Any) -> dict[str, Any]:
    return {"session_id": SESSION_ID, "edit_mode": "removal", "prompt": PROMPT, **overrides}


# (create arguments, field at fault, words of the rule in the message)
INVALID_CREATES = [
    pytest.param(_create(edit_mode="addition"), "images", "needs 1 to 2", id="addition-none"),
    pytest.param(
        _create(edit_mode="addition", images=[IMAGE_URL] * 3),
        "images",
        "needs 1 to 2",
        id="addition-three",
    ),
    pytest.param(_create(edit_mode="swap"), "images", "exactly 1", id="swap-none"),
    pytest.param(
        _create(edit_mode="swap", images=[IMAGE_URL] * 2), "images", "exactly 1", id="swap-two"
    ),
    pytest.param(_create(images=[IMAGE_URL]), "images", "takes no images", id="removal-one"),
    pytest.param(
        _create(edit_mode="swap", images=IMAGE_URL), "images", "must be a list", id="images-str"
    ),
    pytest.param(
        _create(edit_mode="swap", images=[IMAGE_URL], prompt="Put <<<image_2>>> in <<<video_1>>>"),
        "prompt",
        "<<<image_2>>>",
        id="placeholder-above-count",
    ),
    pytest.param(
        _create(edit_mode="swap", images=[IMAGE_URL], prompt="Put <<<image_0>>> in <<<video_1>>>"),
        "prompt",
        "<<<image_0>>>",
        id="placeholder-zero",
    ),
    pytest.param(
        _create(prompt="Erase <<<image_1>>> from <<<video_1>>>"),
        "prompt",
        "0 image(s)",
        id="placeholder-removal",
    ),
    pytest.param(_create(prompt=""), "prompt", "must not be empty", id="prompt-empty"),
    pytest.param(_create(prompt="   "), "prompt", "must not be empty", id="prompt-blank"),
    pytest.param(_create(prompt=None), "prompt", "must be a string", id="prompt-none"),
    pytest.param(_create(prompt=PROMPT + "x" * 2500), "prompt", "at most 2500", id="prompt-long"),
    pytest.param(_create(negative_prompt=" "), "negative_prompt", "not be empty", id="neg-blank"),
    pytest.param(
        _create(negative_prompt="x" * 2501), "negative_prompt", "at most 2500", id="neg-long"
    ),
    *(
        pytest.param(
            _create(duration=value), "duration", "must be 5 or 10", id=f"duration-{value!r}"
        )
        for value in (7, "7", 5.0, True, "05", "5s", 0)
    ),
    pytest.param(_create(mode="fast"), "mode", "one of std, pro", id="mode"),
    pytest.param(_create(edit_mode="replace"), "edit_mode", "addition, swap", id="edit-mode"),
    pytest.param(_create(model_name="kling-v2"), "model_name", "kling-v1-6", id="model-name"),
    pytest.param(_create(session_id=""), "session_id", "must not be empty", id="session-empty"),
    pytest.param(
        _create(callback_url="ftp://hooks.test/x"),
        "callback_url",
        "http(s) URL",
        id="callback-not-http",
    ),
    pytest.param(
        _create(external_task_id=" "), "external_task_id", "not be empty", id="external-id-blank"
    ),
    pytest.param(
        _create(extra_body={"prompt": "other"}),
        "extra_body",
        "prompt",
        id="extra-body-overrides-a-checked-field",
    ),
    # A field the spec knows goes through its own argument and checks, even when not given.
    pytest.param(
        _create(extra_body={"image_list": [{"image": "https://x.test/a.png"}]}),
        "extra_body",
        "image_list",
        id="extra-body-sneaks-an-image-into-a-removal",
    ),
    pytest.param(
        _create(extra_body={"watermark_info": {"enabled": "yes"}}),
        "extra_body",
        "watermark",
        id="extra-body-bypasses-the-watermark-check",
    ),
    pytest.param(
        _create(extra_body={"negative_prompt": 5}),
        "extra_body",
        "negative_prompt",
        id="extra-body-bypasses-the-negative-prompt-check",
    ),
]


@pytest.mark.parametrize(("arguments", "field", "rule"), INVALID_CREATES)
async def test_create_refuses_before_sending(
    api: Api, httpx_mock: HTTPXMock, arguments: dict[str, Any], field: str, rule: str
) -> None:
    error = await _refused(api, httpx_mock, "tasks.create", **arguments)

    assert error.field == field
    assert rule in str(error)


def _swap_with(image: object) -> dict[str, Any]:
    return _create(edit_mode="swap", images=[image], prompt="Use <<<image_1>>> in <<<video_1>>>")


# Images given as text or bytes: (image, words of the rule).
INVALID_IMAGE_VALUES = [
    pytest.param("ftp://images.test/a.png", "neither an http(s) URL", id="ftp-url"),
    pytest.param("https://", "must be an http(s) URL", id="url-without-host"),
    pytest.param("no/such/file.png", "nor an existing file", id="missing-file"),
    pytest.param("   ", "must not be empty", id="blank"),
    pytest.param(42, "not int", id="not-a-string"),
    pytest.param(base64.b64encode(b"GIF89a" + bytes(80)).decode(), "JPG or PNG", id="b64-gif"),
    pytest.param("A" * 63 + "!", "nor an existing file", id="not-base64"),
    # Neither may crash the file check: a name too long for the file system, an unknown user.
    pytest.param("A" * 300 + "-_", "nor an existing file", id="urlsafe-base64"),
    pytest.param("~no-such-user-kling/a.png", "nor an existing file", id="unknown-home"),
    pytest.param(
        "data:image/gif;base64," + base64.b64encode(b"GIF89a").decode(),
        "data: URI",
        id="data-uri-gif",
    ),
    pytest.param("data:image/png," + "x" * 10, "data: URI", id="data-uri-not-base64"),
    pytest.param("data:image/png;base64,@@@@", "not valid base64", id="data-uri-bad-base64"),
    pytest.param(b"\x00" * (TEN_MB + 1), "at most 10 MB", id="bytes-over-10mb"),
    pytest.param(png_bytes(299, 400), "at least 300", id="png-narrow"),
    pytest.param(png_bytes(400, 299), "at least 300", id="png-short"),
    pytest.param(png_bytes(300, 751), "aspect ratio", id="png-too-tall"),
    pytest.param(png_bytes(751, 300), "aspect ratio", id="png-too-wide"),
    pytest.param(jpeg_bytes(299, 500), "at least 300", id="jpeg-small"),
    pytest.param(jpeg_bytes(1000, 300, sof=0xC2), "aspect ratio", id="jpeg-progressive-wide"),
    pytest.param(jpeg_bytes(400, 400)[:30], "cannot be read", id="jpeg-truncated"),
    pytest.param(
        "data:image/png;base64," + base64.b64encode(png_bytes(200, 400)).decode(),
        "at least 300",
        id="data-uri-small-png",
    ),
]


@pytest.mark.parametrize(("image", "rule"), INVALID_IMAGE_VALUES)
async def test_images_are_checked_before_sending(
    api: Api, httpx_mock: HTTPXMock, image: object, rule: str
) -> None:
    error = await _refused(api, httpx_mock, "tasks.create", **_swap_with(image))

    assert error.field == "images[0]"
    assert rule in str(error)


def _sparse(size: int) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        with path.open("wb") as handle:
            handle.truncate(size)

    return write


# Local files: (file name, how to write it, words of the rule).
INVALID_IMAGE_FILES = [
    pytest.param(
        "anim.gif", lambda p: p.write_bytes(b"GIF89a" + bytes(100)), "JPG or PNG", id="gif"
    ),
    pytest.param("big.png", _sparse(TEN_MB + 1), "at most 10 MB", id="over-10mb"),
    pytest.param(
        "small.png", lambda p: p.write_bytes(png_bytes(120, 400)), "at least 300", id="png-small"
    ),
    pytest.param(
        "banner.jpg", lambda p: p.write_bytes(jpeg_bytes(2000, 400)), "aspect ratio", id="jpeg-wide"
    ),
]


@pytest.mark.parametrize("as_text", [False, True], ids=["path", "str"])
@pytest.mark.parametrize(("name", "write", "rule"), INVALID_IMAGE_FILES)
async def test_local_image_files_are_checked_before_sending(
    api: Api,
    httpx_mock: HTTPXMock,
    tmp_path: Path,
    name: str,
    write: Callable[[Path], None],
    rule: str,
    as_text: bool,
) -> None:
    path = tmp_path / name
    write(path)

    error = await _refused(
        api, httpx_mock, "tasks.create", **_swap_with(str(path) if as_text else path)
    )

    assert error.field == "images[0]"
    assert rule in str(error)


async def test_a_folder_given_as_a_path_is_refused(
    api: Api, httpx_mock: HTTPXMock, tmp_path: Path
) -> None:
    error = await _refused(api, httpx_mock, "tasks.create", **_swap_with(tmp_path))

    assert "cannot read" in str(error)


async def test_every_rule_holds_for_the_second_image_too(api: Api, httpx_mock: HTTPXMock) -> None:
    arguments = _create(
        edit_mode="addition",
        images=[IMAGE_URL, png_bytes(100, 100)],
        prompt="Add <<<image_1>>> and <<<image_2>>> to <<<video_1>>>",
    )

    error = await _refused(api, httpx_mock, "tasks.create", **arguments)

    assert error.field == "images[1]"


async def test_unknown_create_options_are_a_type_error(api: Api, httpx_mock: HTTPXMock) -> None:
    with pytest.raises(TypeError, match="watermark_info"):
        await api("tasks.create", **_create(watermark_info={"enabled": True}))

    assert httpx_mock.get_requests() == []


@pytest.mark.parametrize(
    ("arguments", "field", "rule"),
    [
        pytest.param({}, "video_url", "exactly one", id="neither"),
        pytest.param(
            {"video_url": "https://videos.test/a.mp4", "video_id": "842"},
            "video_url",
            "exactly one",
            id="both",
        ),
        pytest.param(
            {"video_url": "ftp://videos.test/a.mp4"}, "video_url", "http(s) URL", id="not-http"
        ),
        pytest.param(
            {"video_url": "https://videos.test/a.avi"}, "video_url", "mp4 or mov", id="avi"
        ),
        pytest.param({"video_id": " "}, "video_id", "not be empty", id="blank-id"),
    ],
)
async def test_init_refuses_before_sending(
    api: Api, httpx_mock: HTTPXMock, arguments: dict[str, Any], field: str, rule: str
) -> None:
    error = await _refused(api, httpx_mock, "sessions.init", **arguments)

    assert error.field == field
    assert rule in str(error)


class _At:
    def __init__(self, x: object, y: object) -> None:
        self.x, self.y = x, y


INVALID_POINTS = [
    pytest.param(0, [(1.5, 0.5)], "points[0].x", "in [0, 1]", id="x-above-1"),
    pytest.param(0, [(0.5, -0.1)], "points[0].y", "in [0, 1]", id="y-below-0"),
    pytest.param(0, [(float("nan"), 0.5)], "points[0].x", "in [0, 1]", id="nan"),
    pytest.param(0, [(0.5, float("inf"))], "points[0].y", "in [0, 1]", id="inf"),
    pytest.param(0, [(True, 0.5)], "points[0].x", "must be a number", id="bool"),
    pytest.param(0, [("0.5", 0.5)], "points[0].x", "must be a number", id="str"),
    pytest.param(0, [{"x": 0.5}], "points[0].y", "must be a number", id="mapping-without-y"),
    pytest.param(0, [_At(0.5, 2)], "points[0].y", "in [0, 1]", id="object-out-of-range"),
    pytest.param(0, [(0.1, 0.2, 0.3)], "points[0]", "(x, y) pair", id="triple"),
    pytest.param(0, [(0.5, 0.5)] * 11, "points", "1 to 10 points", id="eleven"),
    pytest.param(0, [], "points", "1 to 10 points", id="none"),
    pytest.param(0, "0.5,0.5", "points", "list of (x, y)", id="points-str"),
    pytest.param(0, {"x": 0.5, "y": 0.5}, "points", "list of (x, y)", id="points-mapping"),
    pytest.param(-1, [(0.5, 0.5)], "frame_index", "at least 0", id="negative-frame"),
    pytest.param(True, [(0.5, 0.5)], "frame_index", "integer", id="bool-frame"),
    pytest.param(1.0, [(0.5, 0.5)], "frame_index", "integer", id="float-frame"),
]


@pytest.mark.parametrize("method", ["sessions.add_points", "sessions.delete_points"])
@pytest.mark.parametrize(("frame", "points", "field", "rule"), INVALID_POINTS)
async def test_points_are_checked_before_sending(
    api: Api,
    httpx_mock: HTTPXMock,
    method: str,
    frame: object,
    points: object,
    field: str,
    rule: str,
) -> None:
    error = await _refused(api, httpx_mock, method, SESSION_ID, frame_index=frame, points=points)

    assert error.field == field
    assert rule in str(error)


@pytest.mark.parametrize(
    ("method", "arguments", "field"),
    [
        pytest.param("sessions.clear", ("",), "session_id", id="clear"),
        pytest.param("sessions.preview", (" ",), "session_id", id="preview"),
        pytest.param("tasks.get", ("",), "task", id="get"),
        pytest.param("tasks.get_by_external_id", ("",), "external_task_id", id="by-external"),
        pytest.param("tasks.wait", ("",), "task", id="wait"),
    ],
)
async def test_ids_are_checked_before_sending(
    api: Api, httpx_mock: HTTPXMock, method: str, arguments: tuple[Any, ...], field: str
) -> None:
    error = await _refused(api, httpx_mock, method, *arguments)

    assert error.field == field


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        pytest.param({"page": 0}, "page", id="page-0"),
        pytest.param({"page": 1001}, "page", id="page-1001"),
        pytest.param({"page_size": 0}, "page_size", id="size-0"),
        pytest.param({"page_size": 501}, "page_size", id="size-501"),
        pytest.param({"page": "2"}, "page", id="page-str"),
    ],
)
async def test_list_pages_are_checked_before_sending(
    api: Api, httpx_mock: HTTPXMock, arguments: dict[str, Any], field: str
) -> None:
    error = await _refused(api, httpx_mock, "tasks.list", **arguments)

    assert error.field == field


@pytest.mark.parametrize("timeout", [0, -1.0, float("nan"), True, "60"])
async def test_wait_timeout_must_be_positive(
    api: Api, httpx_mock: HTTPXMock, timeout: object
) -> None:
    error = await _refused(api, httpx_mock, "tasks.wait", "task-1", timeout=timeout)

    assert error.field == "timeout"


# ---------------------------------------------------------------------------------------------
# Rules that depend on what init-selection reported for the session


async def _open_session(api: Api, httpx_mock: HTTPXMock, **facts: Any) -> None:
    httpx_mock.add_response(url=INIT_URL, json=envelope(session_data(**facts)))
    await api("sessions.init", video_url="https://videos.test/clip.mp4")


def _answer_selections(httpx_mock: HTTPXMock) -> None:
    for url in (ADD_URL, DELETE_URL):
        httpx_mock.add_response(
            url=url, json=envelope(selection_data()), is_reusable=True, is_optional=True
        )


async def test_frame_index_must_be_below_total_frame_of_a_seen_session(
    api: Api, httpx_mock: HTTPXMock
) -> None:
    await _open_session(api, httpx_mock, total_frame=150)
    _answer_selections(httpx_mock)
    await api("sessions.add_points", SESSION_ID, frame_index=149, points=[(0.5, 0.5)])

    for method in ("sessions.add_points", "sessions.delete_points"):
        error = await _refused(
            api, httpx_mock, method, SESSION_ID, frame_index=150, points=[(0.5, 0.5)]
        )
        assert error.field == "frame_index"
        assert "total_frame (150)" in str(error)


async def test_an_unseen_session_is_left_to_the_service(api: Api, httpx_mock: HTTPXMock) -> None:
    _answer_selections(httpx_mock)

    await api("sessions.add_points", "sess-from-elsewhere", frame_index=10_000, points=[(0, 1)])

    assert len(httpx_mock.get_requests()) == 1


async def test_an_eleventh_marked_frame_is_refused(api: Api, httpx_mock: HTTPXMock) -> None:
    await _open_session(api, httpx_mock)
    _answer_selections(httpx_mock)
    for frame in range(10):
        await api("sessions.add_points", SESSION_ID, frame_index=frame, points=[(0.5, 0.5)])

    # More points on a frame already marked are fine; a new frame is not.
    await api("sessions.add_points", SESSION_ID, frame_index=3, points=[(0.1, 0.1)])
    error = await _refused(
        api, httpx_mock, "sessions.add_points", SESSION_ID, frame_index=10, points=[(0.5, 0.5)]
    )

    assert error.field == "frame_index"
    assert "at most 10 frames" in str(error)


async def test_frames_free_up_when_their_points_go(api: Api, httpx_mock: HTTPXMock) -> None:
    await _open_session(api, httpx_mock)
    _answer_selections(httpx_mock)
    httpx_mock.add_response(url=f"{API}/clear-selection", json=envelope({"status": 0}))
    for frame in range(10):
        await api("sessions.add_points", SESSION_ID, frame_index=frame, points=[(0.5, 0.5)])

    # Deleting every point of a frame unmarks it (the service drops it too), so a new frame fits.
    await api("sessions.delete_points", SESSION_ID, frame_index=4, points=[(0.5, 0.5)])
    await api("sessions.add_points", SESSION_ID, frame_index=10, points=[(0.5, 0.5)])
    await _refused(
        api, httpx_mock, "sessions.add_points", SESSION_ID, frame_index=11, points=[(0.5, 0.5)]
    )
    await api("sessions.clear", SESSION_ID)
    await api("sessions.add_points", SESSION_ID, frame_index=11, points=[(0.5, 0.5)])


async def test_deleting_some_points_keeps_the_frame_marked(api: Api, httpx_mock: HTTPXMock) -> None:
    await _open_session(api, httpx_mock)
    _answer_selections(httpx_mock)
    await api("sessions.add_points", SESSION_ID, frame_index=0, points=[(0.2, 0.2), (0.8, 0.8)])
    for frame in range(1, 10):
        await api("sessions.add_points", SESSION_ID, frame_index=frame, points=[(0.5, 0.5)])

    await api("sessions.delete_points", SESSION_ID, frame_index=0, points=[(0.2, 0.2)])

    await _refused(
        api, httpx_mock, "sessions.add_points", SESSION_ID, frame_index=10, points=[(0.5, 0.5)]
    )


@pytest.mark.parametrize(
    ("duration_ms", "duration", "allowed"),
    [
        (5000, "10", False),
        (5000, 10, False),
        (5000, "5", True),
        (9000, "5", False),
        (9000, "10", True),
        (5500, "5", True),  # CometAPI's page allows up to 5.5 s
        (10500, "10", True),
        (1500, "5", False),
    ],
)
@pytest.mark.httpx_mock(assert_all_responses_were_requested=False)
async def test_duration_must_fit_the_source_video_of_a_seen_session(
    api: Api, httpx_mock: HTTPXMock, duration_ms: int, duration: str | int, allowed: bool
) -> None:
    await _open_session(api, httpx_mock, duration_ms=duration_ms)
    httpx_mock.add_response(url=API, method="POST", json=envelope(task_data()))

    if allowed:
        await api("tasks.create", **_create(duration=duration))
        return
    error = await _refused(api, httpx_mock, "tasks.create", **_create(duration=duration))
    assert error.field == "duration"
    assert f"lasts {duration_ms / 1000:g} s" in str(error)


@pytest.mark.httpx_mock(assert_all_responses_were_requested=False)
async def test_a_duration_that_does_not_fit_states_both_bounds(
    api: Api, httpx_mock: HTTPXMock
) -> None:
    await _open_session(api, httpx_mock, duration_ms=6000)

    error = await _refused(api, httpx_mock, "tasks.create", **_create(duration="5"))

    assert "5 needs a 2-5.5 s source video, 10 a 7-10.5 s one" in str(error)


async def test_an_unknown_duration_names_the_allowed_values(
    api: Api, httpx_mock: HTTPXMock
) -> None:
    error = await _refused(api, httpx_mock, "tasks.create", **_create(duration=7))

    assert str(error) == "duration: must be 5 or 10 (seconds, a number or a string); got 7"


async def test_swap_names_its_image_argument(api: Api, httpx_mock: HTTPXMock) -> None:
    error = await _refused(
        api, httpx_mock, "tasks.swap", SESSION_ID, prompt=PROMPT, image=b"GIF89a" + bytes(80)
    )

    assert error.field == "image"


def test_the_duration_bounds_have_one_wording() -> None:
    # The wording the CLI's --duration help shows is the one the messages use.
    assert DURATION_SOURCE_RULE == "5 needs a 2-5.5 s source video, 10 a 7-10.5 s one"
    assert video_problems(None, None, None, 6000) == ["6 s long (allowed: 2-5.5 s or 7-10.5 s)"]


# ---------------------------------------------------------------------------------------------
# What valid input turns into


@pytest.mark.parametrize(
    ("given", "sent"), [(5, "5"), ("5", "5"), (10, "10"), ("10", "10"), (None, None)]
)
async def test_duration_is_always_sent_as_a_string(
    api: Api, httpx_mock: HTTPXMock, given: int | str | None, sent: str | None
) -> None:
    httpx_mock.add_response(url=API, method="POST", json=envelope(task_data()))

    await api("tasks.create", **_create(duration=given))

    body = json.loads(httpx_mock.get_requests()[0].content)
    assert body.get("duration") == sent


async def test_a_prompt_at_the_limit_is_accepted(api: Api, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=API, method="POST", json=envelope(task_data()))
    prompt = PROMPT.ljust(2500, ".")

    await api("tasks.create", **_create(prompt=prompt, negative_prompt="n" * 2500))

    assert json.loads(httpx_mock.get_requests()[0].content)["prompt"] == prompt


async def test_points_in_every_accepted_form_are_sent_as_x_y(
    api: Api, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=ADD_URL, json=envelope(selection_data()))

    await api(
        "sessions.add_points",
        SESSION_ID,
        frame_index=0,
        points=[(0, 1), [0.25, 0.5], {"x": 1, "y": 0}, _At(0.75, 0.125)],
    )

    assert json.loads(httpx_mock.get_requests()[0].content)["points"] == [
        {"x": 0.0, "y": 1.0},
        {"x": 0.25, "y": 0.5},
        {"x": 1.0, "y": 0.0},
        {"x": 0.75, "y": 0.125},
    ]


async def test_a_prompt_without_the_video_placeholder_warns_but_is_sent(
    api: Api, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=API, method="POST", json=envelope(task_data()))

    with pytest.warns(PromptWarning, match="<<<video_1>>>"):
        task = await api("tasks.create", **_create(prompt="Delete the selected object"))

    assert task.task_id == "task-1"
    assert len(httpx_mock.get_requests()) == 1


async def test_a_prompt_with_the_video_placeholder_does_not_warn(
    api: Api, httpx_mock: HTTPXMock, recwarn: pytest.WarningsRecorder
) -> None:
    httpx_mock.add_response(url=API, method="POST", json=envelope(task_data()))

    await api("tasks.create", **_swap_with(VALID_PNG))

    assert not [w for w in recwarn if issubclass(w.category, PromptWarning)]
