"""Client limits: `max_concurrent_tasks` (task slots, 1303 handling) and `max_in_flight`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from kling_edit import AsyncKlingEdit, KlingEdit, KlingEditError, PollSchedule, Session, Task
from kling_edit._limits import TaskWindow
from kling_edit.testing import Simulator
from proof_helpers import FAST_RETRIES, KINDS, PROMPT, VIDEO_URL

QUICK_POLLS = PollSchedule(first=0.02, factor=1.0, maximum=0.02)
JOBS = 6


class Refusals:
    """Counts the service's 1303 answers to creates (the simulator injects no other 429)."""

    def __init__(self) -> None:
        self.count = 0

    def see(self, response: httpx.Response) -> None:
        if response.request.method == "POST" and response.status_code == 429:
            self.count += 1

    async def async_see(self, response: httpx.Response) -> None:
        self.see(response)


def _client(kind: str, sim: Simulator, refusals: Refusals, **kwargs: Any) -> Any:
    if kind == "sync":
        http: Any = httpx.Client(
            transport=sim.transport(), event_hooks={"response": [refusals.see]}
        )
    else:
        http = httpx.AsyncClient(
            transport=sim.transport(), event_hooks={"response": [refusals.async_see]}
        )
    cls = KlingEdit if kind == "sync" else AsyncKlingEdit
    client = cls.simulated(sim, http_client=http, poll_schedule=QUICK_POLLS, **kwargs)
    client._policy = FAST_RETRIES
    return client


def _sync_jobs(client: KlingEdit, sessions: list[Session]) -> list[Task]:
    def job(session: Session) -> Task:
        task = client.tasks.remove(session, prompt=PROMPT)
        return client.tasks.wait(task, timeout=30)

    with ThreadPoolExecutor(len(sessions)) as pool:
        return list(pool.map(job, sessions))


async def _async_jobs(client: AsyncKlingEdit, sessions: list[Session]) -> list[Task]:
    async def job(session: Session) -> Task:
        task = await client.tasks.remove(session, prompt=PROMPT)
        return await client.tasks.wait(task, timeout=30)

    return await asyncio.gather(*(job(session) for session in sessions))


def _run_jobs(kind: str, client: Any) -> list[Task]:
    """Init+mark JOBS sessions, then create and wait for a removal on each, all at once."""
    if kind == "sync":
        sessions = [client.sessions.init(video_url=VIDEO_URL) for _ in range(JOBS)]
        for s in sessions:
            client.sessions.add_points(s, frame_index=0, points=[(0.5, 0.5)])
        return _sync_jobs(client, sessions)

    async def main() -> list[Task]:
        sessions = [await client.sessions.init(video_url=VIDEO_URL) for _ in range(JOBS)]
        for s in sessions:
            await client.sessions.add_points(s, frame_index=0, points=[(0.5, 0.5)])
        try:
            return await _async_jobs(client, sessions)
        finally:
            await client.close()

    return asyncio.run(main())


@pytest.mark.parametrize("kind", KINDS)
def test_a_window_the_size_of_the_account_limit_is_never_refused(kind: str) -> None:
    sim = Simulator(submit_seconds=0.01, job_seconds=0.1, max_active_tasks=2)
    refusals = Refusals()
    client = _client(kind, sim, refusals, max_concurrent_tasks=2)
    tasks = _run_jobs(kind, client)
    assert all(task.is_succeeded for task in tasks)
    assert len(sim.tasks) == JOBS
    assert refusals.count == 0


@pytest.mark.parametrize("kind", KINDS)
def test_refusals_shrink_a_too_large_window_and_every_create_succeeds(kind: str) -> None:
    sim = Simulator(submit_seconds=0.01, job_seconds=0.1, max_active_tasks=2)
    refusals = Refusals()
    # max_retries=0: each 1303 comes straight to the window instead of being retried blindly.
    client = _client(kind, sim, refusals, max_concurrent_tasks=5, max_retries=0)
    tasks = _run_jobs(kind, client)
    assert all(task.is_succeeded for task in tasks)
    assert len(sim.tasks) == JOBS  # one task per create: a refusal never created one
    assert refusals.count >= 1


@pytest.mark.parametrize("kind", KINDS)
def test_without_a_window_the_same_load_is_refused(kind: str) -> None:
    # The control: the limit is what keeps the first test free of refusals.
    sim = Simulator(submit_seconds=0.01, job_seconds=0.1, max_active_tasks=2)
    refusals = Refusals()
    client = _client(kind, sim, refusals, max_retries=0)
    with pytest.raises(KlingEditError, match="concurrency limit"):
        _run_jobs(kind, client)
    assert refusals.count >= 1


def _task(task_id: str, status: str) -> Task:
    return Task(task_id=task_id, status=status)


def test_the_window_halves_on_a_refusal_and_grows_back_by_one_per_ended_task() -> None:
    window = TaskWindow(8)
    ids = [f"t{i}" for i in range(4)]
    for task_id in ids:
        window.reserve()
        window.created(_task(task_id, "submitted"))
    window.reserve()
    assert window.refused() == 0.0  # tasks of ours run: one ending will make room
    assert window.size == 4
    assert not window.has_room()
    window.seen([_task(ids[0], "succeed")])
    assert window.size == 5
    assert window.has_room()
    window.seen([_task(ids[0], "succeed"), _task(ids[1], "processing")])  # seen before: no-op
    assert window.size == 5
    for task_id in ids[1:]:
        window.seen([_task(task_id, "failed")])
    assert window.size == 8  # never past the maximum


def test_a_refusal_with_no_task_of_ours_running_pauses_longer_each_time() -> None:
    window = TaskWindow(4)
    pauses: list[float] = []
    for _ in range(3):
        window.reserve()
        pauses.append(window.refused())
    assert pauses == [1.0, 2.0, 4.0]
    assert window.size == 1


@pytest.mark.parametrize(
    "make",
    [
        lambda: KlingEdit("sk-x", max_concurrent_tasks=0),
        lambda: AsyncKlingEdit("sk-x", max_concurrent_tasks=-1),
        lambda: AsyncKlingEdit("sk-x", max_in_flight=0),
        lambda: AsyncKlingEdit("sk-x", max_in_flight=True),
    ],
)
def test_bad_limits_are_refused_naming_the_option(make: Callable[[], object]) -> None:
    with pytest.raises(KlingEditError, match=r"max_(concurrent_tasks|in_flight) must be"):
        make()


def test_the_sync_pool_keeps_as_many_idle_connections_as_it_opens() -> None:
    client = KlingEdit("sk-x")
    pool = client._http._transport._pool  # type: ignore[attr-defined]
    assert pool._max_connections == 100
    assert pool._max_keepalive_connections == 100


def test_async_requests_in_flight_never_pass_max_in_flight() -> None:
    in_flight = peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return httpx.Response(200, json={"code": 0, "message": "ok", "data": []})

    async def main() -> None:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        async with AsyncKlingEdit("sk-x", http_client=http, max_in_flight=3) as client:
            await asyncio.gather(*(client.tasks.list() for _ in range(20)))

    asyncio.run(main())
    assert peak == 3


@pytest.mark.parametrize("method", ["create", "remove", "add", "swap"])
def test_every_create_method_waits_for_a_task_slot(
    method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A method that skipped the slot (swap once did) would pay a 1303 refusal the window exists
    # to avoid, and hold a task the window does not count.
    client = KlingEdit.simulated(max_concurrent_tasks=1)
    through_slots: list[str] = []
    create = KlingEdit._create

    def counting(self: KlingEdit, work: Any, options: Any) -> Task:
        through_slots.append(method)
        return create(self, work, options)

    monkeypatch.setattr(KlingEdit, "_create", counting)
    session = client.sessions.init(video_url=VIDEO_URL)
    client.sessions.add_points(session, frame_index=0, points=[(0.125, 0.5)])
    image = "https://example.com/object.png"
    calls: dict[str, Callable[[], Task]] = {
        "create": lambda: client.tasks.create(
            session_id=session, edit_mode="removal", prompt=PROMPT
        ),
        "remove": lambda: client.tasks.remove(session, prompt=PROMPT),
        "add": lambda: client.tasks.add(
            session, prompt="Add <<<image_1>>> to <<<video_1>>>", images=[image]
        ),
        "swap": lambda: client.tasks.swap(
            session, prompt="Swap it for <<<image_1>>> in <<<video_1>>>", image=image
        ),
    }
    calls[method]()
    assert through_slots == [method]
