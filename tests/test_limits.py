"""Every documented limit, on both sides: at the limit the call is sent, one past it is refused.

The numbers are literals copied from the rule table (shared/api-facts.md), never the client's
own constants: a changed constant in the client must turn a test here red.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from kling_edit import RequestValidationError, VideoRejectedError
from wrapper_helpers import (
    PROMPT,
    SESSION_ID,
    Api,
    MakeApi,
    envelope,
    jpeg_bytes,
    png_bytes,
    selection_data,
    session_data,
    task_data,
)

pytestmark = pytest.mark.filterwarnings("ignore::kling_edit.PromptWarning")

TEN_MB = 10 * 1024 * 1024
PNG_300 = png_bytes(300, 300)


class Service:
    """Answers every route with success and records what was sent."""

    def __init__(self, **session: Any) -> None:
        self.session = session
        self.sent: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        path = request.url.path
        if path.endswith("/init-selection"):
            return httpx.Response(200, json=envelope(session_data(**self.session)))
        if path.endswith(("/add-selection", "/delete-selection")):
            frame = json.loads(request.content)["frame_index"]
            return httpx.Response(200, json=envelope(selection_data(frame)))
        if request.method == "GET" and request.url.params:
            return httpx.Response(200, json=envelope([task_data()]))
        return httpx.Response(200, json=envelope(task_data()))


@pytest.fixture
def service() -> Service:
    return Service()


@pytest.fixture
def client(make_api: MakeApi, service: Service) -> Api:
    return make_api(handler=service)


async def outcome(api: Api, service: Service, method: str, /, *args: Any, **kwargs: Any) -> str:
    """ "sent" when the call went out, else the field of the RequestValidationError (and then
    nothing may have been sent)."""
    before = len(service.sent)
    try:
        await api(method, *args, **kwargs)
    except RequestValidationError as error:
        assert len(service.sent) == before, "a refused call reached the network"
        return error.field
    assert len(service.sent) > before
    return "sent"


def remove(**options: Any) -> dict[str, Any]:
    return {"session_id": SESSION_ID, "edit_mode": "removal", "prompt": PROMPT, **options}


def swap(image: object) -> dict[str, Any]:
    return {
        "session_id": SESSION_ID,
        "edit_mode": "swap",
        "prompt": "Use <<<image_1>>> in <<<video_1>>>",
        "images": [image],
    }


def padded_png(size: int) -> bytes:
    return PNG_300 + bytes(size - len(PNG_300))


# (create arguments, expected outcome)
CREATE_LIMITS = [
    pytest.param(remove(prompt="p" * 2500), "sent", id="prompt-2500"),
    pytest.param(remove(prompt="p" * 2501), "prompt", id="prompt-2501"),
    pytest.param(remove(negative_prompt="n" * 2500), "sent", id="negative-2500"),
    pytest.param(remove(negative_prompt="n" * 2501), "negative_prompt", id="negative-2501"),
    pytest.param(swap(padded_png(TEN_MB)), "sent", id="image-10mb"),
    pytest.param(swap(padded_png(TEN_MB + 1)), "images[0]", id="image-10mb-plus-1"),
    pytest.param(swap(png_bytes(300, 400)), "sent", id="png-width-300"),
    pytest.param(swap(png_bytes(299, 400)), "images[0]", id="png-width-299"),
    pytest.param(swap(jpeg_bytes(400, 300)), "sent", id="jpeg-height-300"),
    pytest.param(swap(jpeg_bytes(400, 299)), "images[0]", id="jpeg-height-299"),
    pytest.param(swap(png_bytes(750, 300)), "sent", id="aspect-2.5-to-1"),
    pytest.param(swap(png_bytes(751, 300)), "images[0]", id="aspect-over-2.5-to-1"),
    pytest.param(swap(jpeg_bytes(300, 750)), "sent", id="aspect-1-to-2.5"),
    pytest.param(swap(jpeg_bytes(300, 751)), "images[0]", id="aspect-over-1-to-2.5"),
    pytest.param({**swap(png_bytes(400, 400)), "images": []}, "images", id="swap-0-images"),
    pytest.param(
        {**swap(png_bytes(400, 400)), "images": [png_bytes(400, 400)] * 2},
        "images",
        id="swap-2-images",
    ),
    pytest.param(
        {**swap(PNG_300), "edit_mode": "addition", "images": [PNG_300] * 2}, "sent", id="add-2"
    ),
    pytest.param(
        {**swap(PNG_300), "edit_mode": "addition", "images": [PNG_300] * 3},
        "images",
        id="add-3",
    ),
    pytest.param({**swap(PNG_300), "edit_mode": "addition", "images": []}, "images", id="add-0"),
    pytest.param(remove(images=[]), "sent", id="removal-empty-list"),
    pytest.param(remove(images=[PNG_300]), "images", id="removal-1-image"),
    pytest.param(remove(mode="std"), "sent", id="mode-std"),
    pytest.param(remove(mode="pro"), "sent", id="mode-pro"),
    pytest.param(remove(mode="fast"), "mode", id="mode-fast"),
    pytest.param(remove(duration="5"), "sent", id="duration-5"),
    pytest.param(remove(duration=10), "sent", id="duration-10-unseen-session"),
    pytest.param(remove(duration="7"), "duration", id="duration-7"),
    pytest.param(remove(model_name="kling-v1-6"), "sent", id="model-v1-6"),
    pytest.param(remove(model_name="kling-v2"), "model_name", id="model-v2"),
]


@pytest.mark.parametrize(("arguments", "expected"), CREATE_LIMITS)
async def test_create_limits(
    client: Api, service: Service, arguments: dict[str, Any], expected: str
) -> None:
    assert await outcome(client, service, "tasks.create", **arguments) == expected


# Source length in ms (the session's original_duration) for each output duration: Kling says
# 2-5 s and 7-10 s, CometAPI allows up to 5.5 s and 10.5 s; the client takes CometAPI's bounds.
DURATION_FITS = [
    ("5", 1999, "duration"),
    ("5", 2000, "sent"),
    ("5", 5500, "sent"),
    ("5", 5501, "duration"),
    ("10", 6999, "duration"),
    ("10", 7000, "sent"),
    ("10", 10500, "sent"),
    ("10", 10501, "duration"),
]


@pytest.mark.parametrize(("duration", "source_ms", "expected"), DURATION_FITS)
async def test_duration_must_fit_the_source_length(
    make_api: MakeApi, duration: str, source_ms: int, expected: str
) -> None:
    service = Service(duration_ms=source_ms)
    client = make_api(handler=service)
    await client("sessions.init", video_url="https://videos.test/clip.mp4")

    assert await outcome(client, service, "tasks.create", **remove(duration=duration)) == expected
    if expected != "sent":
        with pytest.raises(RequestValidationError) as caught:
            await client("tasks.create", **remove(duration=duration))
        seconds = f"{source_ms / 1000:g}"
        assert str(caught.value) == (
            f"duration: {duration} does not fit: this session's video lasts {seconds} s, and"
            " 5 needs a 2-5.5 s source video, 10 a 7-10.5 s one"
        )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://videos.test/clip.mp4", "sent"),
        ("https://videos.test/clip.mov", "sent"),
        ("https://videos.test/CLIP.MOV?sig=1", "sent"),
        ("https://videos.test/signed-link", "sent"),
        ("https://videos.test/clip.avi", "video_url"),
        ("https://videos.test/clip.gif", "video_url"),
    ],
)
async def test_video_file_types(client: Api, service: Service, url: str, expected: str) -> None:
    assert await outcome(client, service, "sessions.init", video_url=url) == expected


@pytest.mark.parametrize(
    ("facts", "problem"),
    [
        ({"width": 720, "height": 2160}, None),
        ({"width": 719}, "width 719 px (allowed: 720-2160)"),
        ({"height": 2161}, "height 2161 px (allowed: 720-2160)"),
        ({"width": 2160, "height": 720}, None),
        ({"height": 719}, "height 719 px (allowed: 720-2160)"),
        ({"width": 2161}, "width 2161 px (allowed: 720-2160)"),
        ({"fps": 24.0}, None),
        ({"fps": 30.0}, None),
        ({"fps": 60.0}, None),
        ({"fps": 25.0}, "25 fps (allowed: 24, 30 or 60)"),
        ({"fps": 50.0}, "50 fps (allowed: 24, 30 or 60)"),
        # NTSC rates are the same rates; the client leans tolerant (half a frame per second).
        ({"fps": 29.97}, None),
        ({"fps": 23.976}, None),
        ({"fps": 59.94}, None),
        ({"fps": 30.6}, "30.6 fps (allowed: 24, 30 or 60)"),
        ({"duration_ms": 2000}, None),
        ({"duration_ms": 1999}, "1.999 s long (allowed: 2-5.5 s or 7-10.5 s)"),
        ({"duration_ms": 5500}, None),
        ({"duration_ms": 5501}, "5.501 s long (allowed: 2-5.5 s or 7-10.5 s)"),
        ({"duration_ms": 6999}, "6.999 s long (allowed: 2-5.5 s or 7-10.5 s)"),
        ({"duration_ms": 7000}, None),
        ({"duration_ms": 10500}, None),
        ({"duration_ms": 10501}, "10.501 s long (allowed: 2-5.5 s or 7-10.5 s)"),
    ],
)
async def test_a_rejected_video_names_exactly_the_facts_out_of_range(
    make_api: MakeApi, facts: dict[str, Any], problem: str | None
) -> None:
    client = make_api(handler=Service(status=1, **facts))

    with pytest.raises(VideoRejectedError) as caught:
        await client("sessions.init", video_url="https://videos.test/clip.mp4")

    reason = caught.value.message.split(": ", 1)[1]
    assert reason == (problem or "the service gave no reason")


POINT = (0.5, 0.5)


def points(count: int, offset: int = 0) -> list[tuple[float, float]]:
    return [((offset + index) / 100, 0.5) for index in range(count)]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ([(0, 0)], "sent"),
        ([(1, 1)], "sent"),
        ([(0.0, 1.0)], "sent"),
        ([(-0.001, 0.5)], "points[0].x"),
        ([(0.5, 1.001)], "points[0].y"),
        ([(2, 0)], "points[0].x"),
        (points(10), "sent"),
        (points(11), "points"),
        ([], "points"),
    ],
)
@pytest.mark.parametrize("method", ["sessions.add_points", "sessions.delete_points"])
async def test_points_per_call(
    client: Api, service: Service, method: str, given: list[Any], expected: str
) -> None:
    assert await outcome(client, service, method, SESSION_ID, frame_index=0, points=given) == (
        expected
    )


async def open_session(make_api: MakeApi, **facts: Any) -> tuple[Api, Service]:
    service = Service(**facts)
    client = make_api(handler=service)
    await client("sessions.init", video_url="https://videos.test/clip.mp4")
    return client, service


async def test_an_eleventh_point_on_a_frame_across_calls_is_refused(make_api: MakeApi) -> None:
    client, service = await open_session(make_api)
    add: Callable[..., Any] = lambda given: outcome(  # noqa: E731
        client, service, "sessions.add_points", SESSION_ID, frame_index=0, points=given
    )

    assert await add(points(6)) == "sent"
    assert await add(points(4, offset=6)) == "sent"  # 10 on the frame: the limit
    assert await add(points(1, offset=10)) == "points"


async def test_ten_marked_frames_and_not_eleven(make_api: MakeApi) -> None:
    client, service = await open_session(make_api)
    for frame in range(10):
        assert (
            await outcome(
                client,
                service,
                "sessions.add_points",
                SESSION_ID,
                frame_index=frame,
                points=[POINT],
            )
            == "sent"
        )

    assert (
        await outcome(
            client, service, "sessions.add_points", SESSION_ID, frame_index=10, points=[POINT]
        )
        == "frame_index"
    )


@pytest.mark.parametrize(
    ("frame", "expected"), [(0, "sent"), (149, "sent"), (150, "frame_index"), (-1, "frame_index")]
)
async def test_frame_index_within_the_session(make_api: MakeApi, frame: int, expected: str) -> None:
    client, service = await open_session(make_api, total_frame=150)

    assert (
        await outcome(
            client, service, "sessions.add_points", SESSION_ID, frame_index=frame, points=[POINT]
        )
        == expected
    )


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"page": 1}, "sent"),
        ({"page": 1000}, "sent"),
        ({"page": 0}, "page"),
        ({"page": 1001}, "page"),
        ({"page_size": 1}, "sent"),
        ({"page_size": 500}, "sent"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": 501}, "page_size"),
    ],
)
async def test_list_pages(
    client: Api, service: Service, arguments: dict[str, Any], expected: str
) -> None:
    assert await outcome(client, service, "tasks.list", **arguments) == expected
    if expected == "sent":
        query = service.sent[-1].url.params
        for name, param in (("page", "pageNum"), ("page_size", "pageSize")):
            if name in arguments:
                assert query[param] == str(arguments[name])


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({}, {"pageNum": "1", "pageSize": "30"}),
        ({"page": 2}, {"pageNum": "2", "pageSize": "30"}),
    ],
)
async def test_list_defaults(
    client: Api, service: Service, arguments: dict[str, Any], expected: dict[str, str]
) -> None:
    await client("tasks.list", **arguments)

    sent = dict(service.sent[-1].url.params)
    assert {name: sent.get(name, default) for name, default in expected.items()} == expected
