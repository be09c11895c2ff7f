"""The `wait()` figure: polls per task and how late completion is noticed, in virtual time.

The real `wait_for` flow runs on a virtual clock for tasks of 30 s to 5 min. Its baseline is
the cheapest poller noticing completion as soon on average: a fixed-interval poller (no poll
at t=0) whose interval gives the same mean detection delay. Nothing else lives here.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import httpx
from bench_timing import Figure, ratio_figure

from kling_edit import PollSchedule
from kling_edit._flows import wait_for
from kling_edit._retry import RetryPolicy
from kling_edit._steps import CallOptions, Send, Sleep

SHORTEST, LONGEST = 30.0, 300.0
# The schedules of the README's trade-off table, the default first.
SCHEDULES = {
    "default": PollSchedule(),
    "eager": PollSchedule(first=1.0, factor=2.0, maximum=2.5),
    "relaxed": PollSchedule(first=5.0, factor=2.0, maximum=10.0),
}


def _answer(status: str) -> httpx.Response:
    body = {"code": 0, "message": "", "data": {"task_id": "t", "task_status": status}}
    return httpx.Response(200, json=body, request=httpx.Request("GET", "http://bench.invalid"))


_PROCESSING, _SUCCEEDED = _answer("processing"), _answer("succeed")


def task_lengths(count: int) -> list[float]:
    """`count` task lengths spread evenly over 30 s-5 min (midpoints, so no phase is favoured)."""
    step = (LONGEST - SHORTEST) / count
    return [SHORTEST + (index + 0.5) * step for index in range(count)]


def waited(schedule: PollSchedule, length: float) -> tuple[int, float]:
    """Polls `wait()` makes for a task finishing at `length` s, and how late it notices."""
    now = 0.0
    polls = 0
    flow = wait_for(
        "t",
        timeout=10 * LONGEST,
        schedule=schedule,
        on_progress=None,
        options=CallOptions(timeout=30.0, max_retries=0),
        policy=RetryPolicy(),
        clock=lambda: now,
    )
    answer: httpx.Response | None = None
    while True:
        try:
            step = flow.send(answer)
        except StopIteration:
            return polls, now - length
        answer = None
        if isinstance(step, Sleep):
            now += step.seconds
        else:
            assert isinstance(step, Send)
            polls += 1
            answer = _SUCCEEDED if now >= length else _PROCESSING


def fixed_poller(interval: float, lengths: list[float]) -> tuple[float, float]:
    """Mean polls and mean detection delay of polling every `interval` s, first at `interval`."""
    polls = [math.ceil(length / interval) for length in lengths]
    delays = [count * interval - length for count, length in zip(polls, lengths, strict=True)]
    return sum(polls) / len(lengths), sum(delays) / len(lengths)


def matching_interval(delay: float, lengths: list[float]) -> float:
    """The longest fixed interval whose mean detection delay is at most `delay` (bisection)."""
    low, high = 1e-3, 4 * delay + 1
    for _ in range(60):
        middle = (low + high) / 2
        if fixed_poller(middle, lengths)[1] <= delay:
            low = middle
        else:
            high = middle
    return low


def _means(schedule: PollSchedule, lengths: list[float]) -> tuple[float, float]:
    runs = [waited(schedule, length) for length in lengths]
    return (
        sum(polls for polls, _ in runs) / len(runs),
        sum(delay for _, delay in runs) / len(runs),
    )


def _rows(lengths: list[float], fine: list[float]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, schedule in SCHEDULES.items():
        polls, delay = _means(schedule, lengths)
        interval = matching_interval(delay, fine)
        fixed_polls, fixed_delay = fixed_poller(interval, fine)
        yield (
            name,
            {
                "schedule": f"first={schedule.first:g} factor={schedule.factor:g}"
                f" maximum={schedule.maximum:g}",
                "polls": polls,
                "delay_s": delay,
                "fixed_interval_s": interval,
                "fixed_polls": fixed_polls,
                "fixed_delay_s": fixed_delay,
                "ratio": polls / fixed_polls,
            },
        )


def _by_band(interval: float, lengths: list[float], fine: list[float]) -> dict[str, float]:
    """The default schedule's ratio to the same fixed poller over shorter and longer tasks."""
    bands = {}
    for low, high in ((30, 60), (60, 120), (120, 300)):
        polls, _ = _means(PollSchedule(), [length for length in lengths if low <= length < high])
        fixed = fixed_poller(interval, [length for length in fine if low <= length < high])
        bands[f"{low}-{high}s"] = polls / fixed[0]
    return bands


def bench_wait(count: int) -> dict[str, Figure]:
    # wait() runs for `count` tasks; the fixed poller, which costs nothing to work out, for 20
    # times as many, so that its interval is not bent by the spacing of the sample.
    lengths, fine = task_lengths(count), task_lengths(20 * count)
    schedules = dict(_rows(lengths, fine))
    default = schedules["default"]
    default["ratio_by_task_length"] = _by_band(default["fixed_interval_s"], lengths, fine)
    return {
        "wait": ratio_figure(
            default["ratio"],
            baseline=f"a fixed {default['fixed_interval_s']:.2f} s poller (same mean detection"
            " delay, no poll at t=0)",
            target=1.2,
            polls_per_task=default["polls"],
            detection_delay_s=default["delay_s"],
            fixed_polls_per_task=default["fixed_polls"],
            tasks=f"{count} tasks of 30 s-5 min, virtual time",
            schedules=schedules,
        )
    }
