"""Both clients end to end: construction, the whole workflow over httpx.MockTransport and
pytest-httpx, and against the offline simulator of kling_edit.testing."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from kling_edit import (
    AsyncKlingEdit,
    Cost,
    KlingEdit,
    KlingEditError,
    PollSchedule,
    Preview,
    PromptWarning,
    RequestValidationError,
    Selection,
    Session,
    Task,
    TaskFailedError,
    TaskStatus,
    VideoRejectedError,
    WaitTimeoutError,
)
from kling_edit.testing import (
    SAMPLE_IMAGE,
    SAMPLE_VIDEO,
    Faults,
    RouteFaults,
    Simulator,
    VideoInfo,
)
from kling_edit.testing._assets import RESULT_VIDEOS
from wrapper_helpers import (
    API,
    KEY,
    PROMPT,
    RESULT_URL,
    SESSION_ID,
    TASK_ID,
    Api,
    MakeApi,
    VirtualClock,
    envelope,
    png_bytes,
    preview_data,
    selection_data,
    session_data,
    task_data,
)

FAST = PollSchedule(first=0.01, factor=2.0, maximum=0.05)
VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(5000)
MASK = {"object_id": 1, "rle_mask": {"size": [2, 3], "counts": "231"}}


@pytest.fixture
def client_class(kind: str) -> type[KlingEdit] | type[AsyncKlingEdit]:
    return KlingEdit if kind == "sync" else AsyncKlingEdit


# ---------------------------------------------------------------------------------------------
# Construction


def test_the_key_comes_from_the_environment(
    client_class: type[KlingEdit] | type[AsyncKlingEdit], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMETAPI_KEY", "  sk-from-env \n")
    monkeypatch.delenv("COMETAPI_BASE_URL", raising=False)

    client = client_class()

    assert client._auth.credentials.authorization() == "Bearer sk-from-env"
    assert client.base_url == "https://api.cometapi.com"


@pytest.mark.parametrize("key", [None, "", "   "])
def test_a_client_without_a_key_says_how_to_give_one(
    client_class: type[KlingEdit] | type[AsyncKlingEdit],
    monkeypatch: pytest.MonkeyPatch,
    key: str | None,
) -> None:
    monkeypatch.delenv("COMETAPI_KEY", raising=False)

    with pytest.raises(KlingEditError, match=r"COMETAPI_KEY.*simulated\(\)"):
        client_class(api_key=key)


@pytest.mark.parametrize("max_retries", [-1, True, 1.5])
def test_max_retries_must_be_a_count(
    client_class: type[KlingEdit] | type[AsyncKlingEdit], max_retries: Any
) -> None:
    with pytest.raises(KlingEditError, match="max_retries"):
        client_class(api_key=KEY, max_retries=max_retries)


def test_the_base_url(
    client_class: type[KlingEdit] | type[AsyncKlingEdit], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMETAPI_BASE_URL", "https://proxy.test/")

    from_env = client_class(api_key=KEY)
    given = client_class(api_key=KEY, base_url="https://api-singapore.test//")

    assert from_env.base_url == "https://proxy.test"
    assert given.base_url == "https://api-singapore.test"
    assert repr(given) == (
        f"{client_class.__name__}(provider='cometapi', base_url='https://api-singapore.test')"
    )


def test_closing_closes_only_connections_the_client_opened() -> None:
    given = httpx.Client()
    with KlingEdit(api_key=KEY, http_client=given):
        pass
    with KlingEdit(api_key=KEY) as own:
        pass

    assert not given.is_closed
    assert own._http.is_closed
    given.close()


async def test_closing_closes_only_connections_the_async_client_opened() -> None:
    given = httpx.AsyncClient()
    async with AsyncKlingEdit(api_key=KEY, http_client=given):
        pass
    async with AsyncKlingEdit(api_key=KEY) as own:
        pass

    assert not given.is_closed
    assert own._http.is_closed
    await given.aclose()


# ---------------------------------------------------------------------------------------------
# The whole workflow over httpx.MockTransport


class FakeService:
    """Canned answers per route behind httpx.MockTransport; the task finishes on its third poll."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.polls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.host == "cdn.kling.test":
            return httpx.Response(200, content=VIDEO)
        route = request.method, request.url.path.removeprefix("/kling/v1/videos/multi-elements")
        if route == ("GET", f"/{TASK_ID}"):
            self.polls += 1
            status = ("submitted", "processing", "succeed")[min(self.polls, 3) - 1]
            data: Any = task_data(status=status, video_url=RESULT_URL)
        else:
            data = {
                ("POST", "/init-selection"): session_data(),
                ("POST", "/add-selection"): selection_data(frame_index=2, objects=[MASK]),
                ("POST", "/delete-selection"): selection_data(frame_index=2),
                ("POST", "/clear-selection"): {"status": 0},
                ("POST", "/preview-selection"): preview_data(),
                ("POST", ""): task_data(),
                ("GET", ""): [task_data(), task_data("task-0")],
            }[route]
        return httpx.Response(200, json=envelope(data), headers={"X-Request-Id": "req-x"})

    def sent(self) -> list[tuple[str, str, Any]]:
        return [
            (r.method, r.url.path.rsplit("/", 1)[-1], json.loads(r.content) if r.content else None)
            for r in self.requests
        ]


async def test_the_whole_workflow(make_api: MakeApi, clock: VirtualClock, tmp_path: Path) -> None:
    service = FakeService()
    api = make_api(handler=service)

    session = await api("sessions.init", video_url="https://videos.test/clip.mp4")
    selection = await api("sessions.add_points", session, frame_index=2, points=[(0.5, 0.25)])
    await api("sessions.delete_points", SESSION_ID, frame_index=2, points=[(0.5, 0.25)])
    cleared = await api("sessions.clear", session)
    preview = await api("sessions.preview", session)
    created = await api(
        "tasks.add",
        session,
        prompt="Add <<<image_1>>> to <<<video_1>>>",
        images=[png_bytes(400, 400)],
        mode="pro",
        duration=5,
    )
    listed = await api("tasks.list", page=2, page_size=50)
    done = await api("tasks.wait", created, poll=FAST)
    saved = await api("tasks.download", done, tmp_path)

    assert session == Session(
        session_id=SESSION_ID,
        fps=30.0,
        original_duration_ms=5000,
        width=1280,
        height=720,
        total_frame=150,
        normalized_video_url=f"https://cdn.kling.test/{SESSION_ID}/normalized.mp4",
        cost=Cost(units="0.2"),
    )
    assert session.duration == 5.0
    assert session.http_response is not None
    assert session.http_response.headers["X-Request-Id"] == "req-x"
    assert isinstance(selection, Selection)
    assert selection.objects[0].to_grid() == [[False, True, True], [False, True, False]]
    assert cleared is None
    assert preview == Preview(
        session_id=SESSION_ID,
        video_url=f"https://cdn.kling.test/{SESSION_ID}/preview.mp4",
        cover_url=f"https://cdn.kling.test/{SESSION_ID}/cover.png",
        tracking_url=f"https://cdn.kling.test/{SESSION_ID}/tracking.png",
    )
    assert created.status == TaskStatus.SUBMITTED
    assert created.created_at == datetime(2024, 8, 1, tzinfo=UTC)
    assert [task.task_id for task in listed] == [TASK_ID, "task-0"]
    assert done.is_finished
    assert done.video_url == RESULT_URL
    assert saved.read_bytes() == VIDEO
    assert [(method, last) for method, last, _ in service.sent()] == [
        ("POST", "init-selection"),
        ("POST", "add-selection"),
        ("POST", "delete-selection"),
        ("POST", "clear-selection"),
        ("POST", "preview-selection"),
        ("POST", "multi-elements"),
        ("GET", "multi-elements"),
        *[("GET", TASK_ID)] * 3,
        ("GET", "task-1.mp4"),
    ]
    create_body = service.sent()[5][2]
    assert {key: create_body[key] for key in ("edit_mode", "mode", "duration")} == {
        "edit_mode": "addition",
        "mode": "pro",
        "duration": "5",
    }
    assert service.requests[6].url.params == httpx.QueryParams({"pageNum": 2, "pageSize": 50})
    assert all(r.headers["Authorization"] == f"Bearer {KEY}" for r in service.requests[:-1])
    assert "Authorization" not in service.requests[-1].headers


@pytest.mark.parametrize(
    ("pages", "requests"),
    [([2, 2, 1], 3), ([2, 2, 0], 3), ([1], 1), ([0], 1)],
    ids=["short-last-page", "empty-last-page", "one-short-page", "nothing"],
)
async def test_iter_all_pages_until_a_short_page(
    api: Api, httpx_mock: HTTPXMock, pages: list[int], requests: int
) -> None:
    expected = []
    for number, size in enumerate(pages, start=1):
        page = [task_data(f"t-{number}-{n}") for n in range(size)]
        expected += [task["task_id"] for task in page]
        httpx_mock.add_response(url=f"{API}?pageNum={number}&pageSize=2", json=envelope(page))

    tasks = await api.collect("tasks.iter_all", page_size=2)

    assert [task.task_id for task in tasks] == expected
    assert len(httpx_mock.get_requests()) == requests


async def test_a_session_can_be_opened_from_a_kling_video_id(
    api: Api, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=f"{API}/init-selection", json=envelope(session_data()))

    await api("sessions.init", video_id="842250903629086785")

    assert json.loads(httpx_mock.get_requests()[0].content) == {"video_id": "842250903629086785"}


async def test_unknown_fields_and_statuses_are_kept(api: Api, httpx_mock: HTTPXMock) -> None:
    data = {**task_data(status="queued_for_review"), "new_field": {"a": 1}}
    httpx_mock.add_response(url=f"{API}/{TASK_ID}", json=envelope(data))

    task = await api("tasks.get", TASK_ID)

    assert task.status == "queued_for_review"
    assert not task.is_finished
    assert task.raw["new_field"] == {"a": 1}


# ---------------------------------------------------------------------------------------------
# Against the offline simulator (real time: tasks finish 0.2 s after they are created)


def _simulator(**options: Any) -> Simulator:
    return Simulator(submit_seconds=0.05, job_seconds=0.2, **options)


async def test_the_whole_workflow_on_the_simulator(make_api: MakeApi, tmp_path: Path) -> None:
    simulator = _simulator()
    api = make_api(simulator=simulator, poll_schedule=FAST)

    session = await api("sessions.init", video_url="https://videos.test/clip.mp4")
    first = await api("sessions.add_points", session, frame_index=0, points=[(0.125, 0.5)])
    # On frame 30 the ball has rolled to about (353, 474) px; (0.7, 0.5) is background.
    on_ball = (353 / 1279, 474 / 719)
    await api("sessions.add_points", session, frame_index=30, points=[on_ball, (0.7, 0.5)])
    after_delete = await api("sessions.delete_points", session, frame_index=30, points=[(0.7, 0.5)])
    preview = await api("sessions.preview", session)
    preview_file = await api("tasks.download", preview.video_url, tmp_path / "preview.mp4")
    removal = await api("tasks.remove", session, prompt=PROMPT)
    swap = await api(
        "tasks.swap", session, prompt="Use <<<image_1>>> in <<<video_1>>>", image=SAMPLE_IMAGE
    )
    seen: list[str] = []
    done = await api("tasks.wait", swap, timeout=5, on_progress=lambda t: seen.append(t.status))
    saved = await api("tasks.download", done, tmp_path)
    removed = await api("tasks.wait", removal, timeout=5)
    listed = await api("tasks.list")

    assert (session.total_frame, session.duration) == (150, 5.0)
    # The ball of the sample video sits at (0.125, 0.5) in frame 0: the mask covers that pixel.
    grid = first.objects[0].to_grid()
    assert grid[360][160]
    assert not grid[0][0]
    assert (after_delete.frame_index, len(after_delete.objects)) == (30, 1)
    assert preview_file.read_bytes() == SAMPLE_VIDEO.read_bytes()
    assert seen[-1] == "succeed"
    assert seen == list(dict.fromkeys(seen))  # each status reported once
    assert saved == tmp_path / f"{swap.task_id}.mp4"
    assert saved.read_bytes() == RESULT_VIDEOS["swap"].read_bytes()
    assert removed.is_succeeded
    assert [task.task_id for task in listed] == [swap.task_id, removal.task_id]
    assert [t.body["edit_mode"] for t in simulator.tasks] == ["removal", "swap"]
    assert simulator.tasks[1].body["image_list"][0]["image"].startswith("iVBORw0KGgo")


async def test_a_failing_task_on_the_simulator(make_api: MakeApi) -> None:
    api = make_api(simulator=_simulator(), poll_schedule=FAST)
    session = await api("sessions.init", video_url="https://videos.test/clip.mp4")
    task = await api("tasks.remove", session, prompt="SIMULATE_FAILURE in <<<video_1>>>")

    with pytest.raises(TaskFailedError, match="SIMULATE_FAILURE") as caught:
        await api("tasks.wait", task, timeout=5)

    assert caught.value.task.is_failed


async def test_a_rejected_video_on_the_simulator(make_api: MakeApi) -> None:
    api = make_api(simulator=_simulator(probe=lambda source: VideoInfo(fps=25.0, width=640)))

    with pytest.raises(VideoRejectedError, match=r"25 fps.*width 640 px"):
        await api("sessions.init", video_url="https://videos.test/clip.mp4")


async def test_a_create_whose_answers_are_lost_makes_one_task_on_the_simulator(
    make_api: MakeApi, clock: VirtualClock
) -> None:
    simulator = _simulator(faults=Faults({"create": RouteFaults(rate_lost_response=1.0)}))
    api = make_api(simulator=simulator)
    session = await api("sessions.init", video_url="https://videos.test/clip.mp4")

    task = await api("tasks.remove", session, prompt=PROMPT)

    (created,) = simulator.tasks
    assert task.task_id == created.task_id
    # The answer was lost; the lookup by external id found the task before anything was resent.
    assert simulator.requests["create"] == 1


async def test_wait_keeps_its_deadline_in_real_time(make_api: MakeApi) -> None:
    api = make_api(simulator=Simulator(submit_seconds=0.01, job_seconds=60))
    session = await api("sessions.init", video_url="https://videos.test/clip.mp4")
    task = await api("tasks.remove", session, prompt=PROMPT)
    poll = PollSchedule(first=0.02, factor=2.0, maximum=0.05)

    started = time.monotonic()
    with pytest.raises(WaitTimeoutError) as caught:
        await api("tasks.wait", task, timeout=0.3, poll=poll)
    elapsed = time.monotonic() - started

    assert 0.3 <= elapsed <= 0.3 + 0.05 + 0.15  # the timeout, one poll, scheduling slack
    assert caught.value.task is not None
    assert caught.value.task.status == "processing"


async def test_many_waits_share_one_async_client(make_api: MakeApi, kind: str) -> None:
    if kind == "sync":
        pytest.skip("concurrency is the async client's")
    api = make_api(simulator=_simulator(), poll_schedule=FAST)
    session = await api("sessions.init", video_url="https://videos.test/clip.mp4")
    client = api.client
    assert isinstance(client, AsyncKlingEdit)
    tasks = [await client.tasks.remove(session, prompt=PROMPT) for _ in range(20)]

    started = time.monotonic()
    finished: list[Task] = await asyncio.gather(*(client.tasks.wait(t, timeout=5) for t in tasks))

    assert all(task.is_succeeded for task in finished)
    assert time.monotonic() - started < 1.0  # concurrent: about one job's time, not twenty


def _files_and_modes(folder: Path) -> dict[str, int]:
    return {path.name: path.stat().st_mode for path in folder.iterdir()}


async def test_download_reports_progress_and_leaves_a_normal_file(
    make_api: MakeApi, tmp_path: Path
) -> None:
    api = make_api(simulator=Simulator(submit_seconds=0, job_seconds=0))
    session = await api("sessions.init", video_url="https://videos.test/clip.mp4")
    await api("sessions.add_points", session, frame_index=0, points=[(0.5, 0.5)])
    task = await api("tasks.wait", await api("tasks.remove", session, prompt=PROMPT))
    progress: list[tuple[int, int | None]] = []

    def record(done: int, total: int | None) -> None:
        progress.append((done, total))

    saved = await api("tasks.download", task, tmp_path, on_progress=record)

    size = len(RESULT_VIDEOS["removal"].read_bytes())
    assert progress[-1] == (size, size)
    # Same permissions as any new file under the umask (mkstemp would have made it 0600), and
    # no temporary file left behind.
    (tmp_path / "reference").touch()
    modes = _files_and_modes(tmp_path)
    assert modes == {saved.name: modes["reference"], "reference": modes["reference"]}


async def test_iter_all_checks_page_size_at_the_call(api: Api, httpx_mock: HTTPXMock) -> None:
    with pytest.raises(RequestValidationError) as caught:
        api.method("tasks.iter_all")(page_size=0)
    assert caught.value.field == "page_size"
    assert httpx_mock.get_requests() == []


async def test_a_prompt_warning_points_at_the_callers_line(make_api: MakeApi) -> None:
    api = make_api(simulator=_simulator())
    session = await api("sessions.init", video_url="https://videos.test/clip.mp4")
    await api("sessions.add_points", session, frame_index=0, points=[(0.5, 0.5)])
    with pytest.warns(PromptWarning) as caught:
        await api("tasks.remove", session, prompt="Delete the selected object")
    assert caught[0].filename == str(Path(__file__).parent / "wrapper_helpers.py")
