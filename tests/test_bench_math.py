"""The wait() benchmark's arithmetic: the real flow's polls and the fixed-poller baseline."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from wait_bench import fixed_poller, matching_interval, task_lengths, waited

from kling_edit import PollSchedule


@pytest.mark.parametrize(
    ("length", "polls", "delay"),
    [
        # The default schedule polls at 0, 2, 6, 11, 16, 21, 26, 31... s.
        (30.0, 8, 1.0),
        (31.0, 8, 0.0),
        (1.5, 2, 0.5),
    ],
)
def test_wait_runs_on_virtual_time(length: float, polls: int, delay: float) -> None:
    seen_polls, seen_delay = waited(PollSchedule(), length)
    assert seen_polls == polls
    assert seen_delay == pytest.approx(delay)


def test_the_fixed_poller_has_no_poll_at_zero() -> None:
    # Every 5 s from 5 s: a 30 s task is seen at 30 s (6 polls), a 32.5 s one at 35 s (7).
    assert fixed_poller(5.0, [30.0, 32.5]) == (6.5, 1.25)


def test_the_baseline_interval_matches_the_mean_delay() -> None:
    # Over evenly spread lengths a fixed poller is late by half its interval on average.
    assert task_lengths(4) == [63.75, 131.25, 198.75, 266.25]
    assert matching_interval(2.5, task_lengths(20_000)) == pytest.approx(5.0, abs=0.01)
