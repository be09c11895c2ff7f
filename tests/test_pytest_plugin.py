"""The pytest plugin's fixtures: fitted to the simulator's timings, sync and async alike.

The plugin is installed with the package (its pytest11 entry point), so these tests use the
fixtures as any user's suite would.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from kling_edit import AsyncKlingEdit, KlingEdit, PollSchedule, TaskFailedError
from kling_edit.testing import Simulator, running_server

VIDEO = "https://example.com/clip.mp4"
REMOVE = "Remove the selected object from <<<video_1>>>"
# A default fixture task is done 0.2 s after its create: a wait fitted to that ends well
# within a second, where the default schedule's first poll alone comes after 2 s.
FITTED_WAIT_SECONDS = 1.0


def test_waiting_a_task_with_kling_client_takes_under_a_second(kling_client: KlingEdit) -> None:
    session = kling_client.sessions.init(video_url=VIDEO)
    kling_client.sessions.add_points(session, frame_index=0, points=[(0.5, 0.5)])
    task = kling_client.tasks.remove(session, prompt=REMOVE)
    started = time.monotonic()
    done = kling_client.tasks.wait(task)
    assert time.monotonic() - started < FITTED_WAIT_SECONDS
    assert done.is_succeeded


async def test_kling_async_client_in_an_async_test(
    kling_async_client: AsyncKlingEdit, kling_simulator: Simulator
) -> None:
    session = await kling_async_client.sessions.init(video_url=VIDEO)
    await kling_async_client.sessions.add_points(session, frame_index=0, points=[(0.5, 0.5)])
    task = await kling_async_client.tasks.remove(session, prompt=REMOVE)
    started = time.monotonic()
    done = await kling_async_client.tasks.wait(task)
    assert time.monotonic() - started < FITTED_WAIT_SECONDS
    assert done.is_succeeded
    assert [sim_task.task_id for sim_task in kling_simulator.tasks] == [task.task_id]


def test_kling_async_client_needs_no_async_plugin(kling_async_client: AsyncKlingEdit) -> None:
    async def failing_task() -> None:
        session = await kling_async_client.sessions.init(video_url=VIDEO)
        await kling_async_client.sessions.add_points(session, frame_index=0, points=[(0.5, 0.5)])
        task = await kling_async_client.tasks.remove(session, prompt=f"SIMULATE_FAILURE {REMOVE}")
        await kling_async_client.tasks.wait(task)

    with pytest.raises(TaskFailedError):
        asyncio.run(failing_task())


def test_kling_poll_schedule_fits_a_client_of_your_own(
    kling_simulator: Simulator, kling_poll_schedule: PollSchedule
) -> None:
    with (
        running_server(kling_simulator) as base_url,
        KlingEdit("sk-any", base_url=base_url, poll_schedule=kling_poll_schedule) as client,
    ):
        session = client.sessions.init(video_url=VIDEO)
        client.sessions.add_points(session, frame_index=0, points=[(0.5, 0.5)])
        task = client.tasks.remove(session, prompt=REMOVE)
        started = time.monotonic()
        client.tasks.wait(task)
        assert time.monotonic() - started < FITTED_WAIT_SECONDS
