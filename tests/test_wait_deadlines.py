"""`tasks.wait(timeout=T)` keeps its deadline: it returns or raises by T, whatever the task
does and however every poll fails, for both clients, on a fast and on the default schedule (the
in-process transport's injected latency is a sleep no deadline can cut, hence its allowance)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any

import attrs
import pytest

from kling_edit import (
    KlingEditError,
    NotFoundError,
    PollSchedule,
    Task,
    TaskFailedError,
    WaitTimeoutError,
)
from kling_edit.testing import Faults, RouteFaults, Simulator, running_server
from proof_helpers import (
    PROMPT,
    Client,
    client_class,
    close,
    invoke,
    marked_session,
    simulated,
    simulator,
)

POLL = PollSchedule(first=0.02, factor=2, maximum=0.1)
TIMEOUT = 0.3
# Scheduling noise on a loaded two-core CI machine; far below the overruns this would catch.
SLACK = 0.15
NEVER = 3600.0  # a job that outlives every test


@attrs.frozen
class Scenario:
    job_seconds: float
    expected: type[Task | KlingEditError]
    get_faults: RouteFaults = attrs.field(factory=RouteFaults)
    prompt: str = PROMPT
    task_id: str | None = None  # wait on this id instead of the created task
    every_poll_fails: bool = False

    @property
    def bound(self) -> float:
        return TIMEOUT + self.get_faults.latency + SLACK

    def simulator(self) -> Simulator:
        # The faults only touch the get route: setting the task up is unaffected.
        faults = Faults({"get": self.get_faults})
        return simulator(submit_seconds=0.05, job_seconds=self.job_seconds, faults=faults)


def failing(faults: RouteFaults) -> Scenario:
    return Scenario(NEVER, WaitTimeoutError, faults, every_poll_fails=True)


SCENARIOS = {
    "finishes": Scenario(0.1, Task),
    "fails": Scenario(0.1, TaskFailedError, prompt=f"SIMULATE_FAILURE {PROMPT}"),
    "never-finishes": Scenario(NEVER, WaitTimeoutError),
    "slow-polls": Scenario(NEVER, WaitTimeoutError, RouteFaults(latency=0.04)),
    "no-such-task": Scenario(NEVER, NotFoundError, task_id="no-such-task"),
    # Every poll fails: the wait rides it out until the deadline, then says it timed out.
    "connect-errors": failing(RouteFaults(rate_drop=1.0)),
    "lost-responses": failing(RouteFaults(rate_lost_response=1.0)),
    "timeouts": failing(RouteFaults(rate_timeout=1.0)),
    "server-errors": failing(RouteFaults(rate_500=0.5, rate_503=0.5)),
    # A Retry-After far past the deadline must not stretch the wait.
    "http-429": failing(RouteFaults(rate_429=1.0, retry_after=30)),
    "mixed": failing(RouteFaults(rate_429=0.25, rate_500=0.25, rate_drop=0.25, rate_timeout=0.25)),
}


async def start_task(client: Client, prompt: str) -> Task:
    session = await marked_session(client)
    task: Task = await invoke(client, "tasks.remove", session, prompt=prompt)
    return task


async def timed_wait(
    client: Client, task: Task | str, timeout: float = TIMEOUT, poll: PollSchedule | None = POLL
) -> tuple[Task | KlingEditError, float]:
    started = time.monotonic()
    try:
        outcome: Task | KlingEditError = await invoke(
            client, "tasks.wait", task, timeout=timeout, poll=poll
        )
    except KlingEditError as error:
        outcome = error
    return outcome, time.monotonic() - started


@attrs.frozen
class Run:
    outcome: Task | KlingEditError
    elapsed: float
    polls: int


async def run(client: Client, sim: Simulator, scenario: Scenario, **wait: Any) -> Run:
    try:
        task = await start_task(client, scenario.prompt)
        outcome, elapsed = await timed_wait(client, scenario.task_id or task, **wait)
    finally:
        await close(client)
    return Run(outcome, elapsed, sim.requests.get("get", 0))


async def both_kinds(make: Callable[[str], Coroutine[Any, Any, Run]]) -> dict[str, Run]:
    """`make(kind)` for the sync and the async client at once, the sync one in a worker thread
    with its own event loop: a test of both costs the time of one."""
    sync, async_ = await asyncio.gather(asyncio.to_thread(asyncio.run, make("sync")), make("async"))
    return {"sync": sync, "async": async_}


def check(scenario: Scenario, results: dict[str, Run]) -> None:
    for kind, result in results.items():
        assert result.elapsed <= scenario.bound, f"{kind} overran: {result.elapsed:.3f} s"
        assert isinstance(result.outcome, scenario.expected), f"{kind}: {result.outcome!r}"
        if isinstance(result.outcome, WaitTimeoutError):
            # It polled again after a failure rather than giving up on the first one.
            assert result.polls >= 2, kind
            assert result.elapsed >= TIMEOUT, kind
            assert (result.outcome.task is None) == scenario.every_poll_fails, kind


@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=SCENARIOS.keys())
async def test_wait_keeps_its_deadline(scenario: Scenario) -> None:
    async def make(kind: str) -> Run:
        sim = scenario.simulator()
        return await run(simulated(kind, sim), sim, scenario)

    check(scenario, await both_kinds(make))


async def test_wait_keeps_its_deadline_when_the_server_hangs() -> None:
    # Only a real socket can hang: the in-process transport raises its timeout at once.
    scenario = failing(RouteFaults(rate_timeout=1.0, hang_seconds=5.0))
    sim = scenario.simulator()
    with running_server(sim) as base_url:

        async def make(kind: str) -> Run:
            client = client_class(kind)(api_key="sk-test", base_url=base_url)
            return await run(client, sim, scenario)

        results = await both_kinds(make)
    check(scenario, results)


@pytest.mark.parametrize(
    "get_faults",
    [RouteFaults(), RouteFaults(latency=0.4), RouteFaults(rate_timeout=1.0, hang_seconds=5.0)],
    ids=["running", "slow-polls", "hangs"],
)
async def test_wait_keeps_its_deadline_on_the_default_schedule(get_faults: RouteFaults) -> None:
    # Polls 2 s and 5 s apart must not stretch a 1 s wait: the bound is T + 0.5 s.
    scenario = Scenario(NEVER, WaitTimeoutError, get_faults)
    sim = scenario.simulator()
    with running_server(sim) as base_url:

        async def make(kind: str) -> Run:
            client = client_class(kind)(api_key="sk-test", base_url=base_url)
            return await run(client, sim, scenario, timeout=1.0, poll=None)

        results = await both_kinds(make)
    for kind, result in results.items():
        assert isinstance(result.outcome, WaitTimeoutError), f"{kind}: {result.outcome!r}"
        assert 1.0 <= result.elapsed <= 1.0 + 0.5, f"{kind}: {result.elapsed:.3f} s"
