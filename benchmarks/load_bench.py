"""Load figures: client CPU per request over 1,000 concurrent jobs, and download memory.

The jobs run against the simulator in a child process, so only the client's own work is
counted; the download runs in child processes of its own, so each peak RSS is its own.
Nothing else lives here.
"""

from __future__ import annotations

import asyncio
import functools
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from bench_canned import CREATE_PATH, KEY, PROMPT
from bench_timing import Figure, compare, interleaved, median, simulator_process

from kling_edit import AsyncKlingEdit, PollSchedule, Session

# One job, given the client (and its httpx.AsyncClient) and a session with a selection.
Job = Callable[[AsyncKlingEdit, httpx.AsyncClient, Session], Awaitable[None]]


async def _wrapper_job(client: AsyncKlingEdit, http: httpx.AsyncClient, session: Session) -> None:
    task = await client.tasks.remove(session, prompt=PROMPT)
    await client.tasks.wait(task, timeout=300)


async def _raw_job(client: AsyncKlingEdit, http: httpx.AsyncClient, session: Session) -> None:
    # The same requests by hand: one create, then polls spaced as wait() spaces them.
    headers = {"Authorization": f"Bearer {KEY}"}
    url = client.base_url + CREATE_PATH
    body = {
        "session_id": session.session_id,
        "edit_mode": "removal",
        "prompt": PROMPT,
        "external_task_id": f"kling-edit-{uuid.uuid4()}",
    }
    created = (await http.post(url, json=body, headers=headers)).json()
    task_url = f"{url}/{created['data']['task_id']}"
    for delay in PollSchedule().delays():
        answer = (await http.get(task_url, headers=headers)).json()
        if answer["data"]["task_status"] == "succeed":
            return
        await asyncio.sleep(delay)


async def _run_jobs(base_url: str, jobs: int, job: Job) -> dict[str, float]:
    """Client CPU, requests, wall time and peak connections of `jobs` concurrent jobs."""
    transport = httpx.AsyncHTTPTransport(
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=100)
    )
    peak = requests = 0

    async def count(request: httpx.Request) -> None:
        nonlocal requests
        requests += 1

    async with (
        httpx.AsyncClient(
            transport=transport, event_hooks={"request": [count]}, timeout=120.0
        ) as http,
        AsyncKlingEdit(api_key=KEY, base_url=base_url, http_client=http, timeout=120.0) as client,
    ):
        session = await client.sessions.init(video_url="https://example.com/clip.mp4")
        await client.sessions.add_points(session, frame_index=0, points=[(0.5, 0.4)])
        requests = 0
        stop = asyncio.Event()

        async def watch_connections() -> None:
            nonlocal peak
            while not stop.is_set():
                peak = max(peak, len(transport._pool.connections))
                await asyncio.sleep(0.01)

        watcher = asyncio.create_task(watch_connections())
        cpu, started = time.process_time(), time.perf_counter()
        await asyncio.gather(*(job(client, http, session) for _ in range(jobs)))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - started
        stop.set()
        await watcher
    return {"cpu_per_request": cpu / requests, "requests": requests, "wall": wall, "peak": peak}


def bench_jobs(jobs: int, job_seconds: float, rounds: int) -> dict[str, Figure]:
    sides = {"kling_edit": _wrapper_job, "httpx": _raw_job}
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in sides}
    with simulator_process(submit_seconds=job_seconds / 4, job_seconds=job_seconds) as base_url:

        def side(name: str, count: int) -> float:
            run = asyncio.run(_run_jobs(base_url, count, sides[name]))
            runs[name].append(run)
            return run["cpu_per_request"]

        for name in sides:  # warm-up: connections, imports, the simulator's first tasks
            side(name, jobs // 10)
        for name in sides:
            runs[name].clear()
        samples = interleaved(
            {name: functools.partial(side, name, jobs) for name in sides}, rounds=rounds, warmup=0
        )
    return {
        "jobs": compare(
            samples,
            "httpx",
            baseline="raw httpx.AsyncClient sending the same creates and polls (same pool);"
            " client CPU per request",
            target=None,
            unit="us_cpu_per_request",
            scale=1e6,
            jobs=jobs,
            requests_per_job=median([run["requests"] for run in runs["kling_edit"]]) / jobs,
            wall_per_job_time=median([run["wall"] for run in runs["kling_edit"]]) / job_seconds,
            peak_connections=max(run["peak"] for run in runs["kling_edit"]),
        )
    }


_RSS_SCRIPT = """
import resource, sys, httpx
from kling_edit import KlingEdit
from kling_edit.testing import Simulator, running_server
mode, size, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
sim = Simulator(submit_seconds=0, job_seconds=0, result_size_bytes=size)
with running_server(sim) as base_url, KlingEdit(api_key="k", base_url=base_url) as client:
    s = client.sessions.init(video_url="https://example.com/clip.mp4")
    client.sessions.add_points(s, frame_index=0, points=[(0.5, 0.4)])
    task = client.tasks.wait(client.tasks.remove(s, prompt="x <<<video_1>>>"))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if mode == "stream":
        client.tasks.download(task, out)
    else:
        data = httpx.get(task.video_url, timeout=60).content
        open(out, "wb").write(data)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print((after - before) / 1024)
"""


def bench_download_rss(size: int, folder: Path) -> dict[str, Figure]:
    def growth(mode: str) -> float:
        target = folder / f"{mode}.mp4"
        try:
            result = subprocess.run(
                [sys.executable, "-c", _RSS_SCRIPT, mode, str(size), str(target)],
                check=True,
                capture_output=True,
                text=True,
            )
        finally:
            target.unlink(missing_ok=True)
        return float(result.stdout.strip().splitlines()[-1])

    streamed, in_memory = growth("stream"), growth("memory")
    return {
        "download_rss": {
            "value": streamed,
            "unit": "MB peak RSS growth",
            "baseline": f"httpx.get().content: {in_memory:.0f} MB",
            "target": "< 30",
            "met": streamed < 30,
            "in_memory_mb": in_memory,
            "size_mb": size / 2**20,
        }
    }
