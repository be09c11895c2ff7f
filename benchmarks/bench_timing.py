"""How `make bench` measures: interleaved rounds, a figure's row, the simulator in a child process.

Nothing else lives here; each `*_bench.py` module measures its own figures with these.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

# One row of the results: "ratio" (or "value" and "unit"), "baseline", "target", "met" when
# there is a target, and details; each `bench_*` function returns its rows by figure name.
Figure = dict[str, Any]
# A side may time itself (a child process reporting what it measured inside) and return the
# seconds; a side returning None is timed around the call.
Side = Callable[[], float | None]


def interleaved(
    sides: Mapping[str, Side],
    rounds: int,
    warmup: int = 1,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, list[float]]:
    """Seconds of each side per round, the sides taking turns (A, B, A, B...).

    `warmup` rounds run first and are not kept (imports, caches, connections, the CPU's clock);
    taking turns makes a change in the machine's load hit every side alike. Work done in this
    process alone is best timed with `time.process_time`: on a shared machine, wall time also
    counts the neighbours' turns on the CPU.
    """
    samples: dict[str, list[float]] = {name: [] for name in sides}
    for index in range(warmup + rounds):
        for name, work in sides.items():
            started = clock()
            reported = work()
            elapsed = reported if reported is not None else clock() - started
            if index >= warmup:
                samples[name].append(elapsed)
    return samples


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def paired_ratio(ours: list[float], theirs: list[float]) -> float:
    """The median of each round's ratio: the two sides of one round met the same load."""
    return median([mine / other for mine, other in zip(ours, theirs, strict=True)])


def ratio_figure(ratio: float, *, baseline: str, target: float | None, **details: Any) -> Figure:
    """One row of the results: a ratio to the baseline, with the baseline named and the target
    (None for a figure that is only tracked)."""
    if target is None:
        return {"ratio": ratio, "baseline": baseline, "target": "tracked", **details}
    return {
        "ratio": ratio,
        "baseline": baseline,
        "target": f"<= {target:g}",
        "met": ratio <= target,
        **details,
    }


def compare(
    samples: Mapping[str, list[float]],
    baseline_side: str,
    *,
    baseline: str,
    target: float | None,
    unit: str,
    scale: float,
    **details: Any,
) -> Figure:
    """The "kling_edit" side against `baseline_side`, with each side's median in `unit`
    (seconds times `scale`)."""
    medians = {f"{side}_{unit}": median(values) * scale for side, values in samples.items()}
    return ratio_figure(
        paired_ratio(samples["kling_edit"], samples[baseline_side]),
        baseline=baseline,
        target=target,
        **medians,
        **details,
    )


@contextmanager
def simulator_process(**options: Any) -> Iterator[str]:
    """A loopback simulator serving from a child process: its CPU is not the client's."""
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
