"""Batches that learn a task's end from its callback: `BatchRunner.deliver`, and `batch run
--callback-url URL --listen HOST:PORT` end to end against a loopback simulator."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from kling_edit import AsyncKlingEdit, PollSchedule, TaskFailedError, parse_callback
from kling_edit.batch import BatchRunner, SQLiteJournal, load_jobs
from kling_edit.batch._updates import TaskUpdates
from kling_edit.cli._app import cli
from kling_edit.testing import Faults, Simulator, running_server

REMOVE = "Remove the selected object from <<<video_1>>>"
# Longer than any test here runs: a job that ends must have ended by its callback.
NEVER = PollSchedule(first=3600.0, factor=1.0, maximum=3600.0)
SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def _jobs_file(tmp_path: Path, count: int, **fields: Any) -> Path:
    source = tmp_path / "jobs.jsonl"
    lines = [
        {
            "key": f"job-{n:02}",
            "video_url": "https://example.com/clip.mp4",
            "selections": [{"frame_index": 0, "points": [[0.125, 0.5]]}],
            "edit_mode": "removal",
            "prompt": REMOVE,
            **fields,
        }
        for n in range(count)
    ]
    source.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return source


def _journal(tmp_path: Path, count: int, **fields: Any) -> SQLiteJournal:
    jobs, bad = load_jobs(_jobs_file(tmp_path, count, **fields))
    assert bad == []
    journal = SQLiteJournal(tmp_path / "jobs.db")
    journal.load(jobs)
    return journal


async def _ticking(simulator: Simulator) -> None:
    """Send the simulator's callbacks as they fall due (in process, only requests would)."""
    while True:
        simulator.tick()
        await asyncio.sleep(0.02)


async def _run_delivering(simulator: Simulator, runner: BatchRunner, client: AsyncKlingEdit) -> Any:
    ticker = asyncio.create_task(_ticking(simulator))
    try:
        async with client:
            return await asyncio.wait_for(runner.run(), 10)
    finally:
        ticker.cancel()


async def test_delivered_updates_end_the_jobs_without_a_poll(tmp_path: Path) -> None:
    runners: list[BatchRunner] = []
    simulator = Simulator(
        submit_seconds=0.02,
        job_seconds=0.1,
        callback_sender=lambda url, task: runners[0].deliver(parse_callback(task)),
    )
    client = AsyncKlingEdit.simulated(simulator, api_key="sk-batch-test")
    runner = BatchRunner(
        client,
        _journal(tmp_path, 6),
        tmp_path / "out",
        callback_url="https://hooks.test/k",
        fallback_poll=NEVER,
    )
    runners.append(runner)
    summary = await _run_delivering(simulator, runner, client)
    assert summary.counts["done"] == 6
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        f"job-{n:02}.mp4" for n in range(6)
    ]
    assert simulator.requests.get("get", 0) == 0


async def test_a_failed_task_delivered_fails_its_job(tmp_path: Path) -> None:
    runners: list[BatchRunner] = []
    simulator = Simulator(
        submit_seconds=0.02,
        job_seconds=0.1,
        callback_sender=lambda url, task: runners[0].deliver(parse_callback(task)),
    )
    client = AsyncKlingEdit.simulated(simulator, api_key="sk-batch-test")
    journal = _journal(tmp_path, 1, prompt=REMOVE + " SIMULATE_FAILURE")
    runner = BatchRunner(
        client, journal, tmp_path / "out", callback_url="https://hooks.test/k", fallback_poll=NEVER
    )
    runners.append(runner)
    summary = await _run_delivering(simulator, runner, client)
    assert summary.counts["failed"] == 1
    assert journal.records()[0].status == "failed"
    assert simulator.requests.get("get", 0) == 0


async def test_without_a_delivery_the_fallback_poll_ends_the_job(tmp_path: Path) -> None:
    simulator = Simulator(submit_seconds=0, job_seconds=0, callback_sender=lambda url, task: None)
    async with AsyncKlingEdit.simulated(simulator, api_key="sk-batch-test") as client:
        runner = BatchRunner(
            client,
            _journal(tmp_path, 2),
            tmp_path / "out",
            callback_url="https://hooks.test/k",
            fallback_poll=PollSchedule(first=0.05, factor=1.0, maximum=0.05),
        )
        summary = await asyncio.wait_for(runner.run(), 10)
    assert summary.counts["done"] == 2
    assert simulator.requests["get"] == 2


async def test_an_update_delivered_before_the_job_waits_is_kept_for_it() -> None:
    updates = TaskUpdates()
    ended = parse_callback({"task_id": "t-1", "task_status": "succeed"})
    updates.deliver(parse_callback({"task_id": "t-1", "task_status": "processing"}))
    updates.deliver(ended)

    async def never() -> Any:
        await asyncio.sleep(3600)

    assert await asyncio.wait_for(updates.ended_or("t-1", None, never()), 1) == ended


async def test_an_update_matches_its_job_by_external_task_id_from_another_thread() -> None:
    updates = TaskUpdates()
    failed = parse_callback(
        {"task_id": "t-9", "task_status": "failed", "task_info": {"external_task_id": "job-x"}}
    )

    async def never() -> Any:
        await asyncio.sleep(3600)

    waiting = asyncio.create_task(updates.ended_or("t-other", "job-x", never()))
    await asyncio.sleep(0)
    await asyncio.to_thread(updates.deliver, failed)
    with pytest.raises(TaskFailedError):
        await asyncio.wait_for(waiting, 1)


async def test_the_poll_that_tells_first_wins_and_the_wait_is_forgotten() -> None:
    updates = TaskUpdates()
    polled = parse_callback({"task_id": "t-2", "task_status": "succeed"})

    async def poll() -> Any:
        return polled

    assert await updates.ended_or("t-2", "ext-2", poll()) is polled
    assert updates._waiting == {}


# ---------------------------------------------------------------------------------------------
# The command, end to end on loopback


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def simulator() -> Simulator:
    return Simulator(
        submit_seconds=0.05,
        job_seconds=0.3,
        webhook_secret=SECRET,
        faults=Faults(rate_duplicate_callback=1.0, seed=7),
    )


def _batch_run(
    tmp_path: Path, source: Path, base_url: str, *extra: str, catch_exceptions: bool = True
) -> Result:
    """`kling-edit batch run SOURCE` with this test's journal and output folder, plus `extra`."""
    journal, out = str(tmp_path / "jobs.db"), str(tmp_path / "out")
    return CliRunner().invoke(
        cli,
        [
            *("batch", "run", str(source), "--journal", journal, "--out", out),
            *("--base-url", base_url, *extra),
        ],
        catch_exceptions=catch_exceptions,
    )


def test_batch_run_listens_for_its_callbacks(
    tmp_path: Path, simulator: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _jobs_file(tmp_path, 10)
    port = _free_port()
    monkeypatch.setenv("KLING_WEBHOOK_SECRET", SECRET)
    with running_server(simulator) as base_url:
        result = _batch_run(
            tmp_path,
            source,
            base_url,
            *("--concurrency", "10", "--callback-url", f"http://127.0.0.1:{port}/kling"),
            *("--listen", f"127.0.0.1:{port}", "--json"),
            catch_exceptions=False,
        )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["counts"]["done"] == 10
    assert len(list((tmp_path / "out").iterdir())) == 10
    # No poll; each callback came twice, yet each result was fetched once.
    assert simulator.requests == {"init": 10, "add": 10, "create": 10, "download": 10}
    assert "(verifying signatures)" in result.stderr
    assert SECRET not in result.stdout + result.stderr


async def test_a_job_submitted_by_an_earlier_run_is_polled_at_once(tmp_path: Path) -> None:
    # Its callback may have come while nothing listened: waiting for it could take forever.
    simulator = Simulator(submit_seconds=0, job_seconds=0, callback_sender=lambda url, task: None)
    journal, reader = _journal(tmp_path, 2), SQLiteJournal(tmp_path / "jobs.db")
    async with AsyncKlingEdit.simulated(simulator, api_key="sk-batch-test") as client:

        def runner() -> BatchRunner:
            return BatchRunner(
                client,
                journal,
                tmp_path / "out",
                callback_url="https://hooks.test/k",
                fallback_poll=NEVER,
                lease_seconds=0.3,
            )

        first = asyncio.create_task(runner().run())
        # The journal, read as another process would, has no event to wait on.
        while any(r.state != "submitted" for r in reader.records()):  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        assert simulator.requests.get("get", 0) == 0
        summary = await asyncio.wait_for(runner().run(), 10)
    assert summary.counts["done"] == 2
    assert simulator.requests["get"] == 2
    assert simulator.requests["create"] == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--listen", "127.0.0.1:8080"], "--listen needs --callback-url"),
        (["--listen", "8080"], "'8080' is not HOST:PORT"),
        (["--listen", "[::1]:http"], "'[::1]:http' is not HOST:PORT"),
        (["--listen", "127.0.0.1:0"], "the port must be 1 to 65535"),
        (["--listen", "127.0.0.1:65536"], "the port must be 1 to 65535"),
    ],
)
def test_a_bad_listen_option_is_refused_before_anything_is_sent(
    tmp_path: Path, args: list[str], message: str
) -> None:
    callback = [] if "needs" in message else ["--callback-url", "http://127.0.0.1:8080/"]
    simulator = Simulator()
    with running_server(simulator) as base_url:
        result = _batch_run(tmp_path, _jobs_file(tmp_path, 1), base_url, *callback, *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert simulator.requests == {}


def test_a_bad_webhook_secret_is_refused_without_showing_it(tmp_path: Path) -> None:
    secret = "whsec_SECRET-batch-key-xyz"  # 17 base64 characters: no valid padding exists
    simulator = Simulator()
    with running_server(simulator) as base_url:
        result = _batch_run(
            tmp_path,
            _jobs_file(tmp_path, 1),
            base_url,
            *("--callback-url", f"http://127.0.0.1:{_free_port()}/"),
            *("--listen", f"127.0.0.1:{_free_port()}", "--webhook-secret", secret),
        )
    assert result.exit_code == 2, result.output
    assert "secret #1 is not a webhook secret" in result.stderr
    assert "SECRET-batch-key-xyz" not in result.stdout + result.stderr
    assert simulator.requests == {}
