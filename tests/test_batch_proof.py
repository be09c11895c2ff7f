"""The batch proof (issue 10, item 6): `kling-edit batch run` processes, killed with SIGKILL at
random moments and run again, against a loopback simulator that injects faults on every route
at a total rate of 0.2 and refuses creates over its concurrency limit (429/1303).

Afterwards: every job is done with exactly one task on the simulator (counted by external task
id through the list route), every result file is present, and the journal's costs match the
simulator's. `make test` runs the small sizes (the issue's acceptance line: 50 jobs, one
SIGKILL, SQLite; and a small three-worker PostgreSQL run); `make soak` the full ones.
"""

from __future__ import annotations

import collections
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kling_edit import KlingEdit
from kling_edit.batch import open_journal
from kling_edit.cli._clients import LOCAL_KEY
from kling_edit.testing import Faults, RouteFaults, Simulator, running_server
from proof_helpers import sized

# 0.2 in all, spread over every kind of fault the simulator has.
FAULTS = RouteFaults(
    rate_429=0.04,
    rate_500=0.03,
    rate_503=0.03,
    rate_drop=0.04,
    rate_timeout=0.02,
    rate_lost_response=0.04,
    retry_after=0,
    hang_seconds=0.2,
)
# What the simulator charges per init (nothing else it answers carries a cost on main).
INIT_UNITS = Decimal("0.2")
RUN_CLI = "from kling_edit.cli import main; main()"
# A run may end with jobs left for a rerun (faults past the retries): run again, as a user would.
MAX_RUNS = 12
RUN_TIMEOUT = 600.0


def _jobs_file(tmp_path: Path, count: int) -> Path:
    path = tmp_path / "jobs.jsonl"
    lines = (
        json.dumps(
            {
                "key": f"job-{n:04}",
                "video_url": "https://example.com/clip.mp4",
                "selections": [{"frame_index": 0, "points": [[0.125, 0.5]]}],
                "edit_mode": "removal",
                "prompt": "Remove the selected object from <<<video_1>>>",
            }
        )
        for n in range(count)
    )
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def faulty_service() -> Iterator[tuple[Simulator, str]]:
    sim = Simulator(
        submit_seconds=0.02,
        job_seconds=0.1,
        max_active_tasks=5,
        faults=Faults({"*": FAULTS}, seed=random.randrange(2**32)),
        callback_sender=lambda url, task: None,
    )
    with running_server(sim) as base_url:
        yield sim, base_url


class Batch:
    """Starts `batch run` workers on one JSONL file and journal, against one simulator."""

    def __init__(self, sim: Simulator, base_url: str, jobs: Path, journal: str, out: Path) -> None:
        self.sim, self.base_url, self.jobs, self.journal, self.out = (
            sim,
            base_url,
            jobs,
            journal,
            out,
        )
        self.env = {
            k: v for k, v in os.environ.items() if k not in ("COMETAPI_KEY", "COMETAPI_BASE_URL")
        }

    def start(self) -> subprocess.Popen[str]:
        args = [
            *("batch", "run", str(self.jobs), "--journal", self.journal, "--out", str(self.out)),
            *("--base-url", self.base_url, "--concurrency", "16"),
            *("--max-concurrent-tasks", "5", "--lease-seconds", "2", "--json"),
        ]
        return subprocess.Popen(
            [sys.executable, "-c", RUN_CLI, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env,
        )

    def kill_when(self, process: subprocess.Popen[str], tasks: int, rng: random.Random) -> None:
        """SIGKILL `process` a random moment after the simulator holds `tasks` tasks."""
        deadline = time.monotonic() + RUN_TIMEOUT
        while len(self.sim.tasks) < tasks and process.poll() is None:
            assert time.monotonic() < deadline, "the batch made no progress"
            time.sleep(0.02)
        time.sleep(rng.uniform(0, 0.3))
        process.kill()
        process.communicate()

    def finish(self) -> dict[str, Any]:
        """Run one worker again until every job is done or failed; answer its summary."""
        for _ in range(MAX_RUNS):
            stdout, stderr = self.start().communicate(timeout=RUN_TIMEOUT)
            summary: dict[str, Any] = json.loads(stdout)
            if sum(summary["counts"].values()) == summary["counts"]["done"]:
                return summary
        raise AssertionError(f"not finished after {MAX_RUNS} runs: {summary}\n{stderr}")

    def states(self) -> collections.Counter[str]:
        journal = open_journal(self.journal)
        try:
            return collections.Counter(record.state for record in journal.records())
        finally:
            journal.close()

    def check(self, jobs: int) -> None:
        """Every job done, one task each on the simulator, every result file, costs matched."""
        self.sim.faults = Faults()  # the count goes through the list route: no faults now
        journal = open_journal(self.journal)
        try:
            records = journal.records()
        finally:
            journal.close()
        assert [r.state for r in records] == ["done"] * jobs
        with KlingEdit(LOCAL_KEY, base_url=self.base_url) as client:  # the key batch run used
            listed = list(client.tasks.iter_all(page_size=500))
        per_external_id = collections.Counter(task.external_task_id for task in listed)
        assert {r.external_task_id: per_external_id[r.external_task_id] for r in records} == {
            r.external_task_id: 1 for r in records
        }
        assert len(listed) == jobs  # and no task that no job knows of
        for record in records:
            result = self.out / f"{record.key}.mp4"
            assert record.result_path == str(result)
            assert result.stat().st_size > 0
        # A task's cost is the one the service reports for it (the list route's answer).
        task_units = {t.external_task_id: _units(t.raw) for t in listed}
        assert {r.key: Decimal(r.costs.get("task", "0")) for r in records} == {
            r.key: task_units[r.external_task_id] for r in records
        }
        # Inits: the journal holds every charge whose answer arrived. An init whose answer was
        # lost (a fault, or a SIGKILL before the journal write) was charged unseen: init has no
        # idempotency key, so no client can know its cost; the simulator's total is the bound.
        journal_init = sum((Decimal(r.costs.get("init", "0")) for r in records), Decimal(0))
        charged_init = INIT_UNITS * len(self.sim.sessions)
        assert INIT_UNITS * jobs <= journal_init <= charged_init
        live = {r.session_id for r in records}
        assert live <= set(self.sim.sessions)


def _units(raw: Any) -> Decimal:
    value = raw.get("final_unit_deduction") if isinstance(raw, dict) else None
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


@pytest.mark.parametrize("jobs", sized(50, 1000))
def test_sigkilled_batch_runs_resume_to_one_task_per_job(
    tmp_path: Path, faulty_service: tuple[Simulator, str], jobs: int
) -> None:
    sim, base_url = faulty_service
    kills = 1 if jobs <= 50 else 5
    out, journal = tmp_path / "out", str(tmp_path / "jobs.db")
    batch = Batch(sim, base_url, _jobs_file(tmp_path, jobs), journal, out)
    rng = random.Random()
    for tasks in sorted(rng.sample(range(1, jobs * 2 // 3), kills)):
        batch.kill_when(batch.start(), tasks, rng)
    assert batch.states()["done"] < jobs, "the kills came too late to interrupt anything"
    summary = batch.finish()
    assert summary["counts"]["done"] == jobs
    batch.check(jobs)


@pytest.mark.parametrize("jobs", sized(30, 1000))
def test_three_workers_share_a_postgresql_journal_one_sigkilled(
    tmp_path: Path, faulty_service: tuple[Simulator, str], postgres_dsn: str, jobs: int
) -> None:
    sim, base_url = faulty_service
    batch = Batch(sim, base_url, _jobs_file(tmp_path, jobs), postgres_dsn, tmp_path / "out")
    rng = random.Random()
    workers = [batch.start() for _ in range(3)]
    batch.kill_when(workers[0], rng.randrange(1, jobs // 2), rng)
    for worker in workers[1:]:  # they take the dead worker's jobs over once its leases lapse
        worker.communicate(timeout=RUN_TIMEOUT)
    assert batch.finish()["counts"]["done"] == jobs
    batch.check(jobs)
