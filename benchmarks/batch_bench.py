"""Benchmarks of issue 10 (run by `run.py` for `make bench`, or alone), as ratios:

  cpu scaling   client CPU per request at 10,000 concurrent async create+wait jobs / the same at
                1,000 (requests in flight are capped by `max_in_flight`) [<= 1.3]
  batch         `BatchRunner` throughput (SQLite journal) / the raw client loop doing the same
                work (init, points, create, wait, download) at the same concurrency [>= 0.9]

The simulator serves from a child process on 127.0.0.1, so its CPU is not the client's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from kling_edit import AsyncKlingEdit, PollSchedule
from kling_edit.batch import BatchRunner, SQLiteJournal, load_jobs

PROMPT = "Delete the selected object from <<<video_1>>>"
VIDEO = "https://example.com/clip.mp4"
KEY = "sk-bench"


@contextmanager
def _simulator(**options: Any) -> Iterator[str]:
    code = (
        "from kling_edit.testing import Simulator, serve; "
        f"serve(Simulator(**{options!r}), port=0, on_ready=lambda url: print(url, flush=True))"
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        yield child.stdout.readline().strip()
    finally:
        child.terminate()
        child.wait(timeout=10)


async def _cpu_per_request(base_url: str, jobs: int) -> tuple[float, int]:
    """Client CPU seconds per request for `jobs` create+wait jobs started at once."""
    requests = 0

    async def count(request: httpx.Request) -> None:
        nonlocal requests
        requests += 1

    http = httpx.AsyncClient(event_hooks={"request": [count]}, timeout=300.0)
    async with AsyncKlingEdit(KEY, base_url=base_url, http_client=http, timeout=300.0) as client:
        session = await client.sessions.init(video_url=VIDEO)
        await client.sessions.add_points(session, frame_index=0, points=[(0.125, 0.5)])

        async def job() -> None:
            task = await client.tasks.remove(session, prompt=PROMPT)
            await client.tasks.wait(task, timeout=3600)

        requests = 0
        cpu = time.process_time()
        await asyncio.gather(*(job() for _ in range(jobs)))
        cpu = time.process_time() - cpu
    await http.aclose()
    return cpu / requests, requests


def bench_cpu_scaling(small: int, large: int) -> dict[str, Any]:
    with _simulator(submit_seconds=1.0, job_seconds=5.0) as base_url:
        per_small, _ = asyncio.run(_cpu_per_request(base_url, small))
        per_large, requests = asyncio.run(_cpu_per_request(base_url, large))
    return {
        "ratio": per_large / per_small,
        "baseline": f"CPU per request at {small} jobs",
        f"cpu_ms_per_request_{small}": per_small * 1e3,
        f"cpu_ms_per_request_{large}": per_large * 1e3,
        f"requests_{large}": requests,
        "target": "<= 1.3",
        "met": per_large / per_small <= 1.3,
    }


QUICK_POLLS = PollSchedule(first=0.2, factor=1.5, maximum=0.5)


def _client(base_url: str) -> AsyncKlingEdit:
    return AsyncKlingEdit(KEY, base_url=base_url, poll_schedule=QUICK_POLLS, timeout=120.0)


async def _raw_loop(base_url: str, jobs: int, concurrency: int, out: Path) -> float:
    """The same work as the batch, as a plain loop over the client: seconds it took."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(jobs):
        queue.put_nowait(n)
    async with _client(base_url) as client:

        async def worker() -> None:
            while not queue.empty():
                n = queue.get_nowait()
                session = await client.sessions.init(video_url=VIDEO)
                await client.sessions.add_points(session, frame_index=0, points=[(0.125, 0.5)])
                task = await client.tasks.remove(session, prompt=PROMPT)
                task = await client.tasks.wait(task, timeout=600)
                await client.tasks.download(task, out / f"job-{n}.mp4")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started


async def _batch(base_url: str, jobs: int, concurrency: int, folder: Path) -> float:
    source = folder / "jobs.jsonl"
    line = {
        "video_url": VIDEO,
        "selections": [{"frame_index": 0, "points": [[0.125, 0.5]]}],
        "edit_mode": "removal",
        "prompt": PROMPT,
    }
    source.write_text("".join(json.dumps({"key": f"job-{n}", **line}) + "\n" for n in range(jobs)))
    loaded, bad = load_jobs(source)
    assert not bad, bad
    journal = SQLiteJournal(folder / "jobs.db")
    journal.load(loaded)
    try:
        async with _client(base_url) as client:
            runner = BatchRunner(client, journal, folder / "out", concurrency=concurrency)
            started = time.perf_counter()
            summary = await runner.run()
            seconds = time.perf_counter() - started
    finally:
        journal.close()
    assert summary.counts["done"] == jobs, summary
    return seconds


def bench_batch_throughput(jobs: int, concurrency: int) -> dict[str, Any]:
    with _simulator(submit_seconds=0.1, job_seconds=1.0) as base_url:
        with tempfile.TemporaryDirectory() as raw_dir:
            raw = asyncio.run(_raw_loop(base_url, jobs, concurrency, Path(raw_dir)))
        with tempfile.TemporaryDirectory() as batch_dir:
            batch = asyncio.run(_batch(base_url, jobs, concurrency, Path(batch_dir)))
    return {
        "ratio": raw / batch,  # throughput is jobs / seconds: the ratio of the times, inverted
        "baseline": "the raw client loop, same jobs and concurrency",
        "raw_jobs_per_s": jobs / raw,
        "batch_jobs_per_s": jobs / batch,
        "jobs": jobs,
        "concurrency": concurrency,
        "target": ">= 0.9",
        "met": raw / batch >= 0.9,
    }


def run(quick: bool) -> dict[str, dict[str, Any]]:
    """The figures, keyed as bench.json keeps them."""
    small, large = (100, 1000) if quick else (1000, 10000)
    return {
        "cpu_scaling": bench_cpu_scaling(small, large),
        "batch": bench_batch_throughput(100 if quick else 500, 32),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="kling-edit batch benchmarks (ratios)")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    for name, row in run(parser.parse_args(argv).quick).items():
        print(name, json.dumps(row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
