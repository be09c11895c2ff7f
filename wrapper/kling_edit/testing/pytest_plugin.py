"""pytest fixtures for code that talks to the Kling multi-elements API.

Registered as a ``pytest11`` entry point, so installing kling-edit makes the fixtures available.
Only pytest is imported up front: the simulator loads when a test asks for a fixture.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

    from kling_edit import AsyncKlingEdit, KlingEdit, PollSchedule
    from kling_edit.testing import Simulator

# The fixtures' simulated tasks turn processing after 0.05 s and finish after 0.2 s; their
# clients poll every 0.05-0.1 s, so wait() sees a task done within ~0.1 s of it finishing (the
# default schedule's first poll after 2 s would make every wait last 2 s).
_SUBMIT_SECONDS = 0.05
_JOB_SECONDS = 0.2
_POLL_FIRST, _POLL_FACTOR, _POLL_MAXIMUM = 0.05, 1.5, 0.1


@pytest.fixture
def kling_simulator() -> Simulator:
    """A fresh :class:`~kling_edit.testing.Simulator` on the real clock with fast tasks
    (processing after 0.05 s, done after 0.2 s)."""
    from kling_edit.testing import Simulator

    return Simulator(submit_seconds=_SUBMIT_SECONDS, job_seconds=_JOB_SECONDS)


@pytest.fixture
def kling_poll_schedule() -> PollSchedule:
    """A :class:`~kling_edit.PollSchedule` fitted to ``kling_simulator``'s timings: pass it as
    ``poll_schedule=`` to a client you build yourself (on ``kling_simulator_url``, say)."""
    from kling_edit import PollSchedule

    return PollSchedule(first=_POLL_FIRST, factor=_POLL_FACTOR, maximum=_POLL_MAXIMUM)


@pytest.fixture
def kling_simulator_url(kling_simulator: Simulator) -> Iterator[str]:
    """The base URL of ``kling_simulator`` served on a free loopback port for the test."""
    from kling_edit.testing import running_server

    with running_server(kling_simulator) as base_url:
        yield base_url


@pytest.fixture
def kling_client(
    kling_simulator: Simulator, kling_poll_schedule: PollSchedule
) -> Iterator[KlingEdit]:
    """A :class:`~kling_edit.KlingEdit` wired in-process to ``kling_simulator`` (no port),
    polling on ``kling_poll_schedule``."""
    from kling_edit import KlingEdit

    with KlingEdit.simulated(kling_simulator, poll_schedule=kling_poll_schedule) as client:
        yield client


@pytest.fixture
def kling_async_client(
    kling_simulator: Simulator, kling_poll_schedule: PollSchedule
) -> Iterator[AsyncKlingEdit]:
    """The :class:`~kling_edit.AsyncKlingEdit` twin of ``kling_client``.

    A plain fixture, so it needs no async plugin: use it from ``async def`` tests (pytest-asyncio,
    anyio) or from a sync test under ``asyncio.run``.
    """
    import asyncio

    from kling_edit import AsyncKlingEdit

    client = AsyncKlingEdit.simulated(kling_simulator, poll_schedule=kling_poll_schedule)
    yield client
    # Its in-process transport holds no sockets, so closing needs no particular loop; a fresh
    # one leaves whatever loop the test's async plugin manages alone.
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(client.close())
    finally:
        loop.close()
