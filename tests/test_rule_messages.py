"""Each refusal names the field and the rule in words a caller can act on, before sending.

The whole message is pinned: a rule that stops naming its field, its limit or the value it got
turns a test here red (mutation testing showed field-only assertions let such changes through).
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from kling_edit import RequestValidationError
from wrapper_helpers import (
    SESSION_ID,
    MakeApi,
    envelope,
    jpeg_bytes,
    png_bytes,
    selection_data,
    task_data,
)

pytestmark = pytest.mark.filterwarnings("ignore::kling_edit.PromptWarning")

PROMPT = "Remove it from <<<video_1>>>"
RESULT = "https://cdn.kling.test/results/r.mp4"
HUGE_INT = 10**400


def create(**options: Any) -> dict[str, Any]:
    return {"session_id": SESSION_ID, "edit_mode": "removal", "prompt": PROMPT, **options}


def swap(image: object, prompt: str = PROMPT) -> dict[str, Any]:
    return create(edit_mode="swap", prompt=prompt, images=[image])


def add(frame_index: object = 0, points: object = ((0.5, 0.5),)) -> dict[str, Any]:
    return {"frame_index": frame_index, "points": points}


def case(method: str, args: tuple[Any, ...], kwargs: dict[str, Any], message: str) -> Any:
    return pytest.param(method, args, kwargs, message, id=message[:60])


CASES = [
    case("tasks.get", (5,), {}, "task: must be a string, not int"),
    case("tasks.get", ("",), {}, "task: must not be empty"),
    case("tasks.get", (" \t",), {}, "task: must not be empty"),
    case("tasks.get", ("\ud800",), {}, "task: is not valid Unicode (it holds a lone surrogate)"),
    case("tasks.get", ("..",), {}, "task_id: '..' is not an id"),
    case("tasks.get", ("x" * 1025,), {}, "task_id: must be at most 1024 characters, got 1025"),
    case(
        "tasks.get",
        ("t",),
        {"timeout": 0},
        "timeout: must be a positive, finite number of seconds, got 0",
    ),
    case(
        "tasks.get",
        ("t",),
        {"timeout": -0.5},
        "timeout: must be a positive, finite number of seconds, got -0.5",
    ),
    case(
        "tasks.get",
        ("t",),
        {"timeout": float("inf")},
        "timeout: must be a positive, finite number of seconds, got inf",
    ),
    case(
        "tasks.get",
        ("t",),
        {"timeout": HUGE_INT},
        f"timeout: must be a positive, finite number of seconds, got {HUGE_INT}",
    ),
    case("tasks.get", ("t",), {"timeout": "1"}, "timeout: must be a number of seconds, not str"),
    case("tasks.get", ("t",), {"timeout": True}, "timeout: must be a number of seconds, not bool"),
    case(
        "tasks.get", ("t",), {"max_retries": -1}, "max_retries: must be between 0 and 100, got -1"
    ),
    case(
        "tasks.get", ("t",), {"max_retries": 101}, "max_retries: must be between 0 and 100, got 101"
    ),
    case("tasks.get", ("t",), {"max_retries": True}, "max_retries: must be an integer, not bool"),
    case("tasks.get", ("t",), {"max_retries": 1.0}, "max_retries: must be an integer, not float"),
    case("tasks.get", ("t",), {"extra_headers": 5}, "extra_headers: must be a mapping, not int"),
    *(
        case(
            "tasks.get",
            ("t",),
            {"extra_headers": headers},
            f"extra_headers: {next(iter(headers))!r}: names and values must be ASCII text",
        )
        for headers in (
            {"X-A": "b\nc"},
            {"X-A": "é"},
            {5: "b"},
            {"X-A": "b\0"},
            {"X-A\r": "b"},
            {"X-A": 5},
        )
    ),
    case("tasks.list", (), {"page": 0}, "page: must be between 1 and 1000, got 0"),
    case("tasks.list", (), {"page_size": 501}, "page_size: must be between 1 and 500, got 501"),
    case("tasks.list", (), {"page": "1"}, "page: must be an integer, not str"),
    case(
        "sessions.init",
        (),
        {"video_url": "ftp://x.test/a.mp4"},
        "video_url: must be an http(s) URL without spaces, got 'ftp://x.test/a.mp4'",
    ),
    case(
        "sessions.init",
        (),
        {"video_url": "https://x.test/a b.mp4"},
        "video_url: must be an http(s) URL without spaces, got 'https://x.test/a b.mp4'",
    ),
    case(
        "sessions.init",
        (),
        {"video_url": "https://x.test/" + "a" * 8200},
        "video_url: must be at most 8192 characters, got 8215",
    ),
    case(
        "sessions.init",
        (),
        {"video_url": "https://x.test/A.AVI?x=1.mp4"},
        "video_url: must point to an mp4 or mov file, got 'a.avi' (client-side check, rule R2)",
    ),
    case("sessions.init", (), {}, "video_url: pass exactly one of video_url or video_id"),
    case(
        "tasks.create",
        (),
        create(edit_mode="x"),
        "edit_mode: must be one of addition, swap, removal; got 'x'",
    ),
    case(
        "tasks.create",
        (),
        create(prompt="p" * 2501),
        "prompt: must be at most 2500 characters, got 2501",
    ),
    case(
        "tasks.create",
        (),
        create(negative_prompt="n" * 2501),
        "negative_prompt: must be at most 2500 characters, got 2501",
    ),
    case("tasks.create", (), create(mode="fast"), "mode: must be one of std, pro; got 'fast'"),
    case(
        "tasks.create",
        (),
        create(duration="7"),
        "duration: must be 5 or 10 (seconds, a number or a string); got '7'",
    ),
    case(
        "tasks.create",
        (),
        create(model_name="kling-v2"),
        "model_name: must be one of kling-v1-6; got 'kling-v2'",
    ),
    case(
        "tasks.create",
        (),
        create(edit_mode="swap", images=[]),
        "images: edit_mode 'swap' needs exactly 1 image; got 0",
    ),
    case(
        "tasks.create",
        (),
        create(edit_mode="addition", images=[]),
        "images: edit_mode 'addition' needs 1 to 2 images; got 0",
    ),
    case(
        "tasks.create",
        (),
        create(images=["https://i.test/x.png"]),
        "images: edit_mode 'removal' takes no images: omit images; got 1",
    ),
    case(
        "tasks.create",
        (),
        swap(png_bytes(299, 400)),
        "images[0]: is 299x400 px; each side must be at least 300",
    ),
    case(
        "tasks.create",
        (),
        swap(png_bytes(751, 300)),
        "images[0]: is 751x300 px; the aspect ratio must be between 1:2.5 and 2.5:1",
    ),
    case(
        "tasks.create",
        (),
        swap(b"\0" * (10 * 1024 * 1024 + 1)),
        "images[0]: is 10.0 MB; images may be at most 10 MB",
    ),
    case(
        "tasks.create",
        (),
        swap(5),
        "images[0]: must be a URL, base64 string, bytes or file path, not int",
    ),
    case("tasks.create", (), swap(b"GIF89a"), "images[0]: must be a JPG or PNG image"),
    case(
        "tasks.create",
        (),
        swap(jpeg_bytes(400, 400)[:30]),
        "images[0]: is a JPEG whose size cannot be read (truncated or corrupt)",
    ),
    case(
        "tasks.create",
        (),
        swap("data:text/plain;base64,AAAA"),
        "images[0]: is a data: URI the API cannot take; pass a png/jpeg data:...;base64 URI,"
        " raw base64, bytes, a file path or a URL",
    ),
    case(
        "tasks.create",
        (),
        swap("data:image/png;base64,@@@@"),
        "images[0]: is not valid base64",
    ),
    case(
        "tasks.create",
        (),
        swap(Path("/nonexistent/x.png")),
        "images[0]: cannot read '/nonexistent/x.png': No such file or directory",
    ),
    case(
        "tasks.create",
        (),
        swap("A" * 70 + "!"),
        "images[0]: is neither an http(s) URL, raw base64 image data, nor an existing file:"
        f" {'A' * 70 + '!'!r}",
    ),
    case(
        "tasks.create",
        (),
        swap(png_bytes(400, 400), prompt="<<<image_2>>> " + PROMPT),
        "prompt: refers to <<<image_2>>> but the task has 1 image(s)"
        " (placeholders are <<<image_1>>> to <<<image_N>>>; client-side check, rule R25)",
    ),
    case(
        "tasks.create",
        (),
        swap(png_bytes(400, 400), prompt="<<<image_0>>> " + PROMPT),
        "prompt: refers to <<<image_0>>> but the task has 1 image(s)"
        " (placeholders are <<<image_1>>> to <<<image_N>>>; client-side check, rule R25)",
    ),
    case(
        "sessions.add_points",
        (SESSION_ID,),
        add(frame_index=-1),
        "frame_index: must be at least 0, got -1",
    ),
    case(
        "sessions.add_points",
        (SESSION_ID,),
        add(frame_index=True),
        "frame_index: must be an integer, not bool",
    ),
    case(
        "sessions.add_points",
        (SESSION_ID,),
        add(points="ab"),
        "points: must be a list of (x, y) pairs",
    ),
    case(
        "sessions.add_points",
        (SESSION_ID,),
        add(points=[(0.5, 0.5)] * 11),
        "points: must hold 1 to 10 points, got 11",
    ),
    case(
        "sessions.add_points",
        (SESSION_ID,),
        add(points=[(0.5,)]),
        "points[0]: must be an (x, y) pair of relative coordinates",
    ),
    case(
        "sessions.add_points",
        (SESSION_ID,),
        add(points=[(0.5, 0.5), (0.5, "a")]),
        "points[1].y: must be a number, not str",
    ),
    case(
        "sessions.add_points",
        (SESSION_ID,),
        add(points=[(2, 0.5)]),
        "points[0].x: must be a relative coordinate in [0, 1], got 2",
    ),
    case(
        "sessions.add_points",
        (SESSION_ID,),
        add(points=[(0.5, 1.5)]),
        "points[0].y: must be a relative coordinate in [0, 1], got 1.5",
    ),
    case(
        "sessions.add_points",
        (SESSION_ID,),
        add(points=[(float("nan"), 0.5)]),
        "points[0].x: must be a relative coordinate in [0, 1], got nan",
    ),
    case(
        "sessions.add_points",
        (SESSION_ID,),
        add(points=[{"x": 0.5, "y": True}]),
        "points[0].y: must be a number, not bool",
    ),
    case(
        "sessions.add_points",
        (SESSION_ID,),
        add(points=[SimpleNamespace(x=0.5)]),
        "points[0]: must be an (x, y) pair of relative coordinates",
    ),
    case("tasks.download", (RESULT, 5), {}, "dest: must be a file or folder path, not int"),
    case("tasks.download", (RESULT, "a\0b"), {}, "dest: must not contain a NUL byte"),
    case(
        "tasks.download",
        (RESULT, "/nonexistent-dir/x.mp4"),
        {},
        "dest: folder '/nonexistent-dir' does not exist",
    ),
    case("tasks.download", (RESULT, "."), {"max_bytes": 0}, "max_bytes: must be at least 1, got 0"),
    case(
        "tasks.download",
        (RESULT, "."),
        {"max_bytes": True},
        "max_bytes: must be an integer, not bool",
    ),
    case("tasks.download", (RESULT, "."), {"index": -1}, "index: must be at least 0, got -1"),
    case(
        "tasks.wait",
        ("t",),
        {"timeout": 0},
        "timeout: must be a positive, finite number of seconds, got 0",
    ),
]


@pytest.mark.parametrize(("method", "args", "kwargs", "message"), CASES)
async def test_the_refusal_names_field_and_rule(
    make_api: MakeApi, method: str, args: tuple[Any, ...], kwargs: dict[str, Any], message: str
) -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=envelope(task_data()))

    api = make_api(handler=answer)
    with pytest.raises(RequestValidationError) as caught:
        await api(method, *args, **kwargs)

    assert str(caught.value) == message
    assert caught.value.field == message.split(": ", 1)[0]
    assert not sent


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        ([(0, 1)], [{"x": 0.0, "y": 1.0}]),
        ([[0.25, 0.75]], [{"x": 0.25, "y": 0.75}]),
        ([{"x": 1, "y": 0}], [{"x": 1.0, "y": 0.0}]),
        ([(0.5, 0.5)] * 10, [{"x": 0.5, "y": 0.5}] * 10),
    ],
)
async def test_points_are_sent_as_floats(
    make_api: MakeApi, given: list[Any], sent: list[dict[str, float]]
) -> None:
    bodies: list[dict[str, Any]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(200, json=envelope(selection_data(0)))

    api = make_api(handler=answer)
    await api("sessions.add_points", SESSION_ID, frame_index=0, points=given)

    assert bodies[0]["points"] == sent
    assert all(type(value) is float for point in bodies[0]["points"] for value in point.values())


@pytest.mark.parametrize(
    "options",
    [
        {"timeout": httpx.Timeout(3.0)},
        {"timeout": 0.001},
        {"timeout": 10**6},
        {"max_retries": 0},
        {"max_retries": 100},
        {"extra_headers": {}},
    ],
)
async def test_options_at_their_limits_are_accepted(
    make_api: MakeApi, options: dict[str, Any]
) -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=envelope(task_data()))

    api = make_api(handler=answer)
    await api("tasks.get", "t", **options)

    assert len(sent) == 1


async def test_extra_headers_are_sent_as_given(make_api: MakeApi) -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=envelope(task_data()))

    api = make_api(handler=answer)
    await api("tasks.get", "t", extra_headers={"X-Trace": "abc", "X-Other": "d e"})

    assert (sent[0].headers["x-trace"], sent[0].headers["x-other"]) == ("abc", "d e")


@pytest.mark.parametrize("task_id", ["x" * 1024, " a ", "a.b", "..."])
async def test_ids_at_the_limit_are_sent(make_api: MakeApi, task_id: str) -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=envelope(task_data()))

    api = make_api(handler=answer)
    await api("tasks.get", task_id)

    assert len(sent) == 1
