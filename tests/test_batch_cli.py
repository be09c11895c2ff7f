"""`kling-edit batch run` and `batch status`, through click's CliRunner against a loopback
simulator."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from kling_edit.batch import SQLiteJournal, load_jobs
from kling_edit.cli._app import cli
from kling_edit.testing import Simulator, running_server

REMOVE = "Remove the selected object from <<<video_1>>>"

Invoke = Callable[..., Result]


@pytest.fixture
def simulator() -> Simulator:
    return Simulator(submit_seconds=0.02, job_seconds=0.1)


@pytest.fixture
def base_url(simulator: Simulator) -> Iterator[str]:
    with running_server(simulator) as url:
        yield url


@pytest.fixture
def invoke() -> Invoke:
    runner = CliRunner()

    def run(*args: str | Path) -> Result:
        return runner.invoke(cli, [str(arg) for arg in args], catch_exceptions=False)

    return run


def _jobs_file(tmp_path: Path, count: int, *extra: dict[str, Any], **fields: Any) -> Path:
    lines = [
        {
            "key": f"job-{n}",
            "video_url": "https://example.com/clip.mp4",
            "selections": [{"frame_index": 0, "points": [[0.125, 0.5]]}],
            "edit_mode": "removal",
            "prompt": REMOVE,
            **fields,
        }
        for n in range(count)
    ]
    source = tmp_path / "jobs.jsonl"
    source.write_text("".join(json.dumps(line) + "\n" for line in [*lines, *extra]))
    return source


def _run(invoke: Invoke, tmp_path: Path, base_url: str, *args: str) -> Result:
    return invoke(
        "batch",
        "run",
        tmp_path / "jobs.jsonl",
        "--journal",
        tmp_path / "jobs.db",
        "--out",
        tmp_path / "out",
        "--base-url",
        base_url,
        "--json",
        *args,
    )


def test_run_then_status_then_a_rerun_that_sends_nothing(
    invoke: Invoke, tmp_path: Path, base_url: str, simulator: Simulator
) -> None:
    _jobs_file(tmp_path, 4)
    result = _run(invoke, tmp_path, base_url, "--concurrency", "2")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["counts"]["done"] == 4
    assert summary["units_spent"] == "12.8"  # 4 jobs of 3.2 simulated units
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        f"job-{n}.mp4" for n in range(4)
    ]
    status = invoke("batch", "status", "--journal", tmp_path / "jobs.db", "--json")
    assert status.exit_code == 0
    assert json.loads(status.stdout)["counts"] == summary["counts"]
    sent = simulator.requests
    again = _run(invoke, tmp_path, base_url)
    assert again.exit_code == 0
    assert simulator.requests == sent


def test_a_bad_line_is_reported_and_the_others_run(
    invoke: Invoke, tmp_path: Path, base_url: str
) -> None:
    _jobs_file(tmp_path, 2, {"key": "odd", "edit_mode": "swap"})
    result = _run(invoke, tmp_path, base_url)
    assert result.exit_code == 0
    assert "bad job: line 3 (key 'odd')" in result.stderr
    summary = json.loads(result.stdout)
    assert summary["counts"]["done"] == 2
    assert summary["bad_lines"][0]["line"] == 3


def test_strict_sends_nothing_when_a_line_is_bad(
    invoke: Invoke, tmp_path: Path, base_url: str, simulator: Simulator
) -> None:
    _jobs_file(tmp_path, 3, {"key": "x", "video_url": "ftp://nope"})
    result = _run(invoke, tmp_path, base_url, "--strict")
    assert result.exit_code == 2
    assert "line 4 (key 'x'): video_url" in result.stderr
    assert simulator.requests == {}
    assert not (tmp_path / "jobs.db").exists()


def test_failed_jobs_exit_4_and_status_gives_their_reasons(
    invoke: Invoke, tmp_path: Path, base_url: str
) -> None:
    _jobs_file(tmp_path, 2, prompt=f"{REMOVE} SIMULATE_FAILURE")
    result = _run(invoke, tmp_path, base_url)
    assert result.exit_code == 4
    assert json.loads(result.stdout)["counts"]["failed"] == 2
    status = invoke("batch", "status", "--journal", tmp_path / "jobs.db")
    assert "failed 2" in status.stdout
    assert "job-0 (failed): task" in status.stdout
    assert "simulated failure" in status.stdout


def test_the_budget_leaves_jobs_pending_and_exits_1(
    invoke: Invoke, tmp_path: Path, base_url: str
) -> None:
    _jobs_file(tmp_path, 4)
    result = _run(invoke, tmp_path, base_url, "--budget-units", "6.4", "--concurrency", "1")
    assert result.exit_code == 1
    counts = json.loads(result.stdout)["counts"]
    assert (counts["done"], counts["pending"]) == (2, 2)


def test_bad_budget_is_a_usage_error(invoke: Invoke, tmp_path: Path, base_url: str) -> None:
    _jobs_file(tmp_path, 1)
    result = _run(invoke, tmp_path, base_url, "--budget-units", "lots")
    assert result.exit_code == 2
    assert "'lots' is not a number of units" in result.stderr


def test_status_warns_of_results_near_expiry(invoke: Invoke, tmp_path: Path) -> None:
    journal = SQLiteJournal(tmp_path / "jobs.db")
    journal.load(load_jobs(_jobs_file(tmp_path, 1))[0])
    journal.claim("w", time.time(), 60.0, exclude=(), started=False)
    soon = time.time() + 3600
    journal.update(
        "job-0", "w", state="submitted", task_id="t-9", status="succeed", expires_at=soon
    )
    journal.close()
    text = invoke("batch", "status", "--journal", tmp_path / "jobs.db")
    assert "results near expiry" in text.stdout
    assert "job-0: task t-9 expires" in text.stdout
    data = json.loads(invoke("batch", "status", "--journal", tmp_path / "jobs.db", "--json").stdout)
    assert data["near_expiry"] == [{"key": "job-0", "task_id": "t-9", "expires_at": soon}]


def test_a_journal_that_cannot_be_opened_is_named_without_its_password(
    invoke: Invoke, tmp_path: Path
) -> None:
    password = "s3cret-pass-9f1c"
    url = f"postgresql://batch:{password}@127.0.0.1:1/jobs"
    result = invoke("batch", "status", "--journal", url, "--json")
    assert result.exit_code == 1
    assert "cannot open the journal 'postgresql://batch:***@127.0.0.1:1/jobs'" in result.stderr
    assert password not in result.stdout + result.stderr
