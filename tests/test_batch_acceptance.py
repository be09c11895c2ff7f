"""Issue 10's acceptance line, as a person at a shell would run it: against
`kling-edit simulate --port P --faults 0.2 --max-concurrent-tasks 5`, a `kling-edit batch run`
of 50 jobs, killed with SIGKILL part-way and run again, leaves 50 result files and exactly one
task per job on the simulator (counted by external task id through the list route).

`test_batch_proof.py` proves the same at more sizes with an in-process service; this one keeps
every part a real process."""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from test_simulate_command import simulate

from kling_edit import KlingEdit
from kling_edit.batch import open_journal

JOBS = 50
CLI = [sys.executable, "-c", "from kling_edit.cli import main; main()"]
RERUNS = 12  # a run may leave jobs for a rerun (faults past the retries), as a user would rerun


def _jobs_file(tmp_path: Path) -> Path:
    path = tmp_path / "jobs.jsonl"
    lines = [
        json.dumps(
            {
                "key": f"job-{n:02}",
                "video_url": "https://example.com/clip.mp4",
                "selections": [{"frame_index": 0, "points": [[0.125, 0.5]]}],
                "edit_mode": "removal",
                "prompt": "Remove the selected object from <<<video_1>>>",
            }
        )
        for n in range(JOBS)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_sigkilled_batch_run_resumes_to_one_task_per_job(tmp_path: Path) -> None:
    jobs, journal, out = _jobs_file(tmp_path), str(tmp_path / "jobs.db"), tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMETAPI_", "KLING_"))}
    with simulate(
        "--faults",
        "0.2",
        "--max-concurrent-tasks",
        "5",
        "--submit-seconds",
        "0.05",
        "--job-seconds",
        "0.2",
    ) as url:
        command = [
            *CLI,
            *("batch", "run", str(jobs), "--journal", journal, "--out", str(out)),
            *("--base-url", url, "--concurrency", "8", "--json"),
        ]
        first = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        deadline = time.monotonic() + 120
        while len(list(out.glob("*.mp4"))) < 5 and first.poll() is None:
            assert time.monotonic() < deadline, "the batch made no progress"
            time.sleep(0.05)
        first.kill()  # SIGKILL, part-way
        first.communicate()
        assert first.returncode == -9

        for _ in range(RERUNS):
            rerun = subprocess.run(
                command, capture_output=True, text=True, env=env, timeout=300, check=False
            )
            summary = json.loads(rerun.stdout)
            if summary["counts"]["done"] == JOBS:
                break
        assert summary["counts"]["done"] == JOBS, rerun.stderr

        with KlingEdit("sk-local-simulator", base_url=url, max_retries=10) as client:
            # The list route has its faults too: the client rides them out.
            tasks = list(client.tasks.iter_all(page_size=500))
    assert sorted(path.name for path in out.glob("*.mp4")) == [
        f"job-{n:02}.mp4" for n in range(JOBS)
    ]
    per_job = collections.Counter(task.external_task_id for task in tasks)
    journaled = {record.external_task_id for record in open_journal(journal).records()}
    assert set(per_job) == journaled
    assert sorted(per_job.values()) == [1] * JOBS
