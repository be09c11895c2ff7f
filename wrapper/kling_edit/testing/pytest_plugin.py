"""pytest fixtures for code that talks to the Kling multi-elements API.

Registered as a ``pytest11`` entry point, so installing kling-edit makes the fixtures available.
Only pytest is imported up front: the simulator loads when a test asks for a fixture.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

    from kling_edit import KlingEdit
    from kling_edit.testing import Simulator


@pytest.fixture
def kling_simulator() -> Simulator:
    """A fresh :class:`~kling_edit.testing.Simulator` on the real clock with fast tasks
    (processing after 0.05 s, done after 0.2 s)."""
    from kling_edit.testing import Simulator

    return Simulator(submit_seconds=0.05, job_seconds=0.2)


@pytest.fixture
def kling_simulator_url(kling_simulator: Simulator) -> Iterator[str]:
    """The base URL of ``kling_simulator`` served on a free loopback port for the test."""
    from kling_edit.testing import running_server

    with running_server(kling_simulator) as base_url:
        yield base_url


@pytest.fixture
def kling_client(kling_simulator: Simulator) -> Iterator[KlingEdit]:
    """A :class:`~kling_edit.KlingEdit` wired in-process to ``kling_simulator`` (no port)."""
    from kling_edit import KlingEdit

    with KlingEdit.simulated(kling_simulator) as client:
        yield client
