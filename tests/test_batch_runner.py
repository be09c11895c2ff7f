"""The batch runner against the in-process simulator: done, resumed, budgeted, shared."""

from __future__ import annotations

import asyncio
import collections
import json
import time
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from kling_edit import AsyncKlingEdit, AuthenticationError, PollSchedule, RequestValidationError
from kling_edit.batch import (
    BatchRunner,
    Job,
    JobRecord,
    Journal,
    LeaseLostError,
    PostgresJournal,
    SQLiteJournal,
    Summary,
    load_jobs,
)
from kling_edit.testing import Simulator

FAST_POLL = PollSchedule(first=0.05, factor=1.5, maximum=0.1)
REMOVE = "Remove the selected object from <<<video_1>>>"
# What the simulator charges for an init; nothing else it answers carries a cost.
# The simulator's price table (testing/_billing.py): init 0.2 units, a 5 s std task 3.
INIT_UNITS = Decimal("0.2")
TASK_UNITS = Decimal("3")
JOB_UNITS = INIT_UNITS + TASK_UNITS


def _line(key: str, **fields: Any) -> str:
    job = {
        "key": key,
        "video_url": "https://example.com/clip.mp4",
        "selections": [{"frame_index": 0, "points": [[0.125, 0.5]]}],
        "edit_mode": "removal",
        "prompt": REMOVE,
        **fields,
    }
    return json.dumps(job)


def _jobs(tmp_path: Path, count: int, **fields: Any) -> list[Job]:
    source = tmp_path / "jobs.jsonl"
    source.write_text("".join(_line(f"job-{n:02}", **fields) + "\n" for n in range(count)))
    jobs, bad = load_jobs(source)
    assert bad == []
    return jobs


def _simulator() -> Simulator:
    return Simulator(submit_seconds=0.02, job_seconds=0.1)


def _client(simulator: Simulator, api_key: str = "sk-batch-test") -> AsyncKlingEdit:
    return AsyncKlingEdit.simulated(simulator, api_key=api_key, poll_schedule=FAST_POLL)


async def _run(
    simulator: Simulator, journal: Journal, out: Path, api_key: str = "sk-batch-test", **kw: Any
) -> Summary:
    async with _client(simulator, api_key) as client:
        return await BatchRunner(client, journal, out, lease_seconds=0.5, **kw).run()


def _tasks_per_external_id(simulator: Simulator) -> collections.Counter[str | None]:
    return collections.Counter(task.external_task_id for task in simulator.tasks)


async def test_twenty_jobs_run_to_done_with_their_result_files(tmp_path: Path) -> None:
    simulator, journal = _simulator(), SQLiteJournal(tmp_path / "jobs.db")
    journal.load(_jobs(tmp_path, 20))
    summary = await _run(simulator, journal, tmp_path / "out", concurrency=6)
    assert summary.counts["done"] == 20
    assert summary.total == 20
    assert summary.units_spent == 20 * JOB_UNITS
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == [f"job-{n:02}.mp4" for n in range(20)]
    assert all((tmp_path / "out" / name).stat().st_size > 0 for name in files)
    assert sorted(_tasks_per_external_id(simulator).values()) == [1] * 20
    records = journal.records()
    assert {r.external_task_id for r in records} == set(_tasks_per_external_id(simulator))
    assert all(r.expires_at is not None and r.task_id is not None for r in records)


async def test_a_job_whose_task_fails_is_failed_with_the_reason(tmp_path: Path) -> None:
    simulator, journal = _simulator(), SQLiteJournal(tmp_path / "jobs.db")
    journal.load(_jobs(tmp_path, 2, prompt=f"{REMOVE} SIMULATE_FAILURE"))
    summary = await _run(simulator, journal, tmp_path / "out")
    assert summary.counts["failed"] == 2
    assert [f.key for f in summary.failures] == ["job-00", "job-01"]
    assert all("simulated failure" in f.error for f in summary.failures)
    assert len(simulator.tasks) == 2


async def test_a_caller_id_that_exists_answers_the_existing_task(tmp_path: Path) -> None:
    # The premise of resuming: the client treats a caller's external_task_id as an idempotency
    # key, so a second create with it returns the first task and pays nothing.
    simulator = _simulator()
    async with _client(simulator) as client:
        session = await client.sessions.init(video_url="https://example.com/clip.mp4")
        await client.sessions.add_points(session, frame_index=0, points=[(0.125, 0.5)])
        first = await client.tasks.remove(session, prompt=REMOVE, external_task_id="same-id")
        again = await client.tasks.remove(session, prompt=REMOVE, external_task_id="same-id")
    assert again.task_id == first.task_id
    assert len(simulator.tasks) == 1


class Crash(Exception):
    """Stands for the process dying at one instant."""


class CrashingJournal:
    """A journal that dies when a job reaches `state`: before the write lands, or just after."""

    def __init__(self, inner: Journal, state: str, *, after_write: bool) -> None:
        self._inner, self._state, self._after = inner, state, after_write

    @property
    def batch_id(self) -> str:
        return self._inner.batch_id

    def load(self, jobs: Iterable[Job]) -> int:
        return self._inner.load(jobs)

    def claim(
        self, owner: str, now: float, lease_seconds: float, *, exclude: Iterable[str], started: bool
    ) -> JobRecord | None:
        return self._inner.claim(owner, now, lease_seconds, exclude=exclude, started=started)

    def renew(self, owner: str, keys: Iterable[str], now: float, lease_seconds: float) -> None:
        self._inner.renew(owner, keys, now, lease_seconds)

    def update(self, key: str, owner: str, **changes: Any) -> None:
        self._write(changes, lambda: self._inner.update(key, owner, **changes))

    def hold(self, key: str, owner: str, now: float, lease_seconds: float, **changes: Any) -> None:
        self._write(changes, lambda: self._inner.hold(key, owner, now, lease_seconds, **changes))

    def _write(self, changes: dict[str, Any], write: Callable[[], None]) -> None:
        crash = changes.get("state") == self._state
        if crash and not self._after:
            raise Crash(f"died before recording {self._state}")
        write()
        if crash:
            raise Crash(f"died after recording {self._state}")

    def release(self, key: str, owner: str) -> None:
        self._inner.release(key, owner)

    def records(self) -> list[JobRecord]:
        return self._inner.records()

    def close(self) -> None:
        self._inner.close()


@pytest.mark.parametrize(
    ("state", "after_write"),
    [
        ("session", True),
        ("selecting", True),
        ("selected", False),
        ("submitting", True),  # create not sent yet
        ("submitted", False),  # create answered, task id not recorded
        ("done", False),  # file written, not recorded
    ],
)
async def test_a_resumed_batch_creates_no_task_twice(
    tmp_path: Path, state: str, after_write: bool
) -> None:
    simulator, db = _simulator(), tmp_path / "jobs.db"
    SQLiteJournal(db).load(_jobs(tmp_path, 6))
    crashing = CrashingJournal(SQLiteJournal(db), state, after_write=after_write)
    with pytest.raises(Crash):
        await _run(simulator, crashing, tmp_path / "out", concurrency=3)
    summary = await _run(simulator, SQLiteJournal(db), tmp_path / "out", concurrency=3)
    assert summary.counts["done"] == 6
    assert sorted(_tasks_per_external_id(simulator).values()) == [1] * 6
    # Not even a create refused as a duplicate: a resume looks the task up before creating.
    assert simulator.requests["create"] == 6
    assert len(list((tmp_path / "out").glob("*.mp4"))) == 6


async def test_an_interrupted_run_resumes_without_a_second_task(tmp_path: Path) -> None:
    simulator, db = _simulator(), tmp_path / "jobs.db"
    SQLiteJournal(db).load(_jobs(tmp_path, 10))
    three_created = asyncio.Event()

    def watch(summary: Summary) -> None:
        if len(simulator.tasks) >= 3:
            three_created.set()

    run = asyncio.ensure_future(
        _run(
            simulator,
            SQLiteJournal(db),
            tmp_path / "out",
            concurrency=4,
            on_progress=watch,
            progress_interval=0.01,
        )
    )
    await three_created.wait()
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    summary = await _run(simulator, SQLiteJournal(db), tmp_path / "out", concurrency=4)
    assert summary.counts["done"] == 10
    assert sorted(_tasks_per_external_id(simulator).values()) == [1] * 10
    assert simulator.requests["create"] == 10


async def test_the_budget_stops_new_submissions(tmp_path: Path) -> None:
    simulator, journal = _simulator(), SQLiteJournal(tmp_path / "jobs.db")
    journal.load(_jobs(tmp_path, 8))
    summary = await _run(
        simulator, journal, tmp_path / "out", concurrency=1, budget_units=Decimal("10.0")
    )
    # 3.2 units a job: the fourth would bring the spend to 12.8.
    assert (summary.counts["done"], summary.counts["pending"]) == (3, 5)
    assert summary.units_spent == Decimal("9.6")
    assert len(simulator.tasks) == 3


async def test_two_runners_share_one_postgresql_journal(tmp_path: Path, postgres_dsn: str) -> None:
    simulator = _simulator()
    PostgresJournal(postgres_dsn).load(_jobs(tmp_path, 12))
    first, second = PostgresJournal(postgres_dsn), PostgresJournal(postgres_dsn)
    out = tmp_path / "out"
    summaries = await asyncio.gather(
        _run(simulator, first, out, "sk-worker-a", concurrency=3),
        _run(simulator, second, out, "sk-worker-b", concurrency=3),
    )
    assert all(s.counts["done"] == 12 for s in summaries)
    assert sorted(_tasks_per_external_id(simulator).values()) == [1] * 12
    per_worker = collections.Counter(task.api_key for task in simulator.tasks)
    assert set(per_worker) == {"sk-worker-a", "sk-worker-b"}
    assert len(list(out.glob("*.mp4"))) == 12


async def test_a_session_past_its_24_hours_is_opened_again(tmp_path: Path) -> None:
    simulator, db = _simulator(), tmp_path / "jobs.db"
    SQLiteJournal(db).load(_jobs(tmp_path, 1))
    crashing = CrashingJournal(SQLiteJournal(db), "submitting", after_write=False)
    with pytest.raises(Crash):
        await _run(simulator, crashing, tmp_path / "out")
    a_day_later = lambda: time.time() + 25 * 3600  # noqa: E731
    summary = await _run(simulator, SQLiteJournal(db), tmp_path / "out", clock=a_day_later)
    assert summary.counts["done"] == 1
    assert simulator.requests["init"] == 2
    assert len(simulator.tasks) == 1
    # Both inits were paid for, and the journal says so.
    assert summary.units_spent == 2 * INIT_UNITS + TASK_UNITS


async def test_a_bad_callback_url_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    simulator, journal = _simulator(), SQLiteJournal(tmp_path / "jobs.db")
    journal.load(_jobs(tmp_path, 1))
    with pytest.raises(RequestValidationError, match="callback_url"):
        await _run(simulator, journal, tmp_path / "out", callback_url="not a url")
    assert simulator.requests == {}


async def test_a_refused_key_stops_the_run_with_its_error(tmp_path: Path) -> None:
    simulator = Simulator(api_key="sk-the-right-one", submit_seconds=0.02, job_seconds=0.1)
    journal = SQLiteJournal(tmp_path / "jobs.db")
    journal.load(_jobs(tmp_path, 3))
    with pytest.raises(AuthenticationError):
        await _run(simulator, journal, tmp_path / "out", "sk-wrong", concurrency=2)
    assert {r.state for r in journal.records()} == {"pending"}


class _SessionsVanish(httpx.AsyncBaseTransport):
    """Answers every add-selection with "session does not exist" (code 1203)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/add-selection"):
            body = {"code": 1203, "message": "session does not exist", "request_id": "r-1"}
            return httpx.Response(404, json=body)
        return await self._inner.handle_async_request(request)


async def test_a_lost_session_is_opened_again_once_per_run(tmp_path: Path) -> None:
    simulator, journal = _simulator(), SQLiteJournal(tmp_path / "jobs.db")
    journal.load(_jobs(tmp_path, 1))
    http = httpx.AsyncClient(transport=_SessionsVanish(simulator.async_transport()))
    client = AsyncKlingEdit(
        "sk-batch-test", base_url=simulator.base_url, http_client=http, poll_schedule=FAST_POLL
    )
    async with client, http:
        summary = await BatchRunner(client, journal, tmp_path / "out", lease_seconds=0.5).run()
    assert simulator.requests["init"] == 2
    assert summary.counts["done"] == 0
    (failure,) = summary.failures
    assert "session was lost again" in failure.error


class _LeaseWatch(SQLiteJournal):
    """A SQLite journal that counts the updates refused because the lease had been taken."""

    refused = 0

    def update(self, key: str, owner: str, **changes: Any) -> None:
        try:
            super().update(key, owner, **changes)
        except LeaseLostError:
            _LeaseWatch.refused += 1
            raise


async def test_a_live_runner_keeps_its_jobs_past_the_lease_time(tmp_path: Path) -> None:
    # Tasks take 2 s, leases last 0.6 s: only renewal keeps the other runner off them.
    simulator = Simulator(submit_seconds=0.05, job_seconds=2.0)
    db = tmp_path / "jobs.db"
    SQLiteJournal(db).load(_jobs(tmp_path, 4))
    _LeaseWatch.refused = 0
    async with _client(simulator) as client:
        # The first request loads the generated client (a blocking import): done before the
        # leases start, so that it cannot hold renewal up.
        await client.tasks.list()

        async def worker() -> Summary:
            runner = BatchRunner(client, _LeaseWatch(db), tmp_path / "out", lease_seconds=0.6)
            return await runner.run()

        first, second = await asyncio.gather(worker(), worker())
    assert first.counts["done"] == second.counts["done"] == 4
    assert _LeaseWatch.refused == 0
    assert simulator.requests["init"] == 4


class _FirstClaimTooSoon(SQLiteJournal):
    """Finds nothing on its first claim, as when a dead runner's lease lapses just after."""

    tried = False

    def claim(
        self, owner: str, now: float, lease_seconds: float, *, exclude: Iterable[str], started: bool
    ) -> JobRecord | None:
        if not self.tried:
            self.tried = True
            return None
        return super().claim(owner, now, lease_seconds, exclude=exclude, started=started)


async def test_a_lease_that_lapsed_after_the_claim_is_still_taken(tmp_path: Path) -> None:
    simulator, db = _simulator(), tmp_path / "jobs.db"
    SQLiteJournal(db).load(_jobs(tmp_path, 1))
    SQLiteJournal(db).claim("dead-worker", time.time() - 10, 1.0, exclude=(), started=False)
    summary = await _run(simulator, _FirstClaimTooSoon(db), tmp_path / "out", concurrency=1)
    assert summary.counts["done"] == 1


async def test_a_lease_taken_over_during_the_lookup_sends_no_create(tmp_path: Path) -> None:
    # The job was left in "submitting"; while this worker looks the task up, its lease lapses
    # and another worker claims the job (and will create it): this one must not create it too.
    simulator, db = _simulator(), tmp_path / "jobs.db"
    journal = SQLiteJournal(db)
    journal.load(_jobs(tmp_path, 1))
    async with _client(simulator) as setup:
        session = await setup.sessions.init(video_url="https://example.com/clip.mp4")
        await setup.sessions.add_points(session, frame_index=0, points=[(0.125, 0.5)])
    journal.claim("dead-worker", time.time() - 10, 1.0, exclude=(), started=False)
    journal.update(
        "job-00",
        "dead-worker",
        state="submitting",
        session_id=session.session_id,
        session_at=time.time(),
    )

    async def take_over(request: httpx.Request) -> None:
        if request.method == "GET":
            journal.claim("other-worker", time.time() + 100, 30.0, exclude=(), started=False)

    http = httpx.AsyncClient(transport=simulator.transport(), event_hooks={"request": [take_over]})
    async with AsyncKlingEdit.simulated(
        simulator, http_client=http, poll_schedule=FAST_POLL
    ) as client:
        await BatchRunner(client, SQLiteJournal(db), tmp_path / "out", lease_seconds=5).run()
    await http.aclose()
    assert simulator.requests.get("create", 0) == 0
    assert journal.records()[0].lease_owner == "other-worker"


@pytest.mark.parametrize(
    ("callback_url", "first_poll"), [(None, None), ("https://hooks.test/k", 0.05)]
)
async def test_with_callbacks_the_runner_polls_on_the_fallback_schedule_only(
    tmp_path: Path, callback_url: str | None, first_poll: float | None
) -> None:
    simulator = Simulator(submit_seconds=0, job_seconds=0, callback_sender=lambda url, task: None)
    journal = SQLiteJournal(tmp_path / "jobs.db")
    journal.load(_jobs(tmp_path, 2))
    polls: list[PollSchedule | None] = []
    async with _client(simulator) as client:
        wait = client.tasks.wait

        async def spy(task: Any, **kwargs: Any) -> Any:
            polls.append(kwargs.get("poll"))
            return await wait(task, **kwargs)

        client.tasks.wait = spy  # type: ignore[method-assign]
        fallback = PollSchedule(first=0.05, factor=1.0, maximum=0.05)
        runner = BatchRunner(
            client, journal, tmp_path / "out", callback_url=callback_url, fallback_poll=fallback
        )
        summary = await runner.run()
    assert summary.counts["done"] == 2
    assert [poll.first if poll else None for poll in polls] == [first_poll] * 2


async def test_a_transient_error_gets_the_job_another_turn_in_the_same_run(
    tmp_path: Path,
) -> None:
    simulator, journal = _simulator(), SQLiteJournal(tmp_path / "jobs.db")
    journal.load(_jobs(tmp_path, 2))
    failures = {"job-00": 2, "job-01": 3}  # job-01 fails its three turns: left for a rerun
    reader = SQLiteJournal(tmp_path / "jobs.db")  # the runner's connection is its own thread's

    async def drop(request: httpx.Request) -> None:
        if not request.url.path.startswith("/files/results/"):
            return
        task_id = request.url.path.rsplit("/", 1)[-1].removesuffix(".mp4")
        key = next(r.key for r in reader.records() if r.task_id == task_id)
        if failures[key]:
            failures[key] -= 1
            raise httpx.ConnectError("dropped", request=request)

    http = httpx.AsyncClient(transport=simulator.transport(), event_hooks={"request": [drop]})
    async with AsyncKlingEdit.simulated(
        simulator, http_client=http, poll_schedule=FAST_POLL
    ) as client:
        summary = await BatchRunner(client, journal, tmp_path / "out", concurrency=1).run()
    await http.aclose()
    assert (summary.counts["done"], summary.counts["submitted"]) == (1, 1)
    assert [r.key for r in journal.records() if r.state == "done"] == ["job-00"]


async def test_a_selection_of_nothing_fails_the_job_before_the_create(tmp_path: Path) -> None:
    simulator, journal = _simulator(), SQLiteJournal(tmp_path / "jobs.db")
    background = [{"frame_index": 0, "points": [[0.9, 0.9]]}]
    journal.load(_jobs(tmp_path, 1, selections=background))
    summary = await _run(simulator, journal, tmp_path / "out")
    assert summary.counts["failed"] == 1
    error = journal.records()[0].error
    assert error is not None
    assert "selected no object" in error
    assert simulator.tasks == ()


async def test_an_image_gone_since_loading_fails_the_job_before_the_paid_init(
    tmp_path: Path,
) -> None:
    import shutil

    from kling_edit.testing import SAMPLE_IMAGE

    image = tmp_path / "object.png"
    shutil.copy(SAMPLE_IMAGE, image)
    simulator, journal = _simulator(), SQLiteJournal(tmp_path / "jobs.db")
    journal.load(
        _jobs(
            tmp_path,
            1,
            edit_mode="swap",
            prompt="Swap it for <<<image_1>>> in <<<video_1>>>",
            images=[str(image)],
        )
    )
    image.unlink()  # moved away between loading the file and running it
    summary = await _run(simulator, journal, tmp_path / "out")
    assert summary.counts["failed"] == 1
    assert simulator.requests.get("init", 0) == 0
