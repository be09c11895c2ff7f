"""`make bench`: what the client costs, each figure a ratio to a baseline measured in the same run.

Prints a table (figure, measured, target, baseline) and writes bench-results/bench.json. Every
ratio is measured side by side, the sides taking turns (A, B, A, B...) after a warm-up, and is
the median of the rounds' ratios; work that stays in one process is timed in CPU time, so a
busy machine stretches neither side.

Figures (target in brackets):
  cold_start          import kling_edit + first tasks.get() / import httpx + the same GET and
                      json(), in a venv holding only the runtime dependencies [<= 1.5]
  get                 tasks.get() / raw httpx.Client GET + json(), one MockTransport [<= 1.15]
  get_own_work        the same / a raw GET of an already parsed httpx.URL, as the wrapper
                      reuses parsed URLs: the wrapper's own work [tracked]
  creates_vs_httpx    20 creates / a raw httpx.Client sending the same bodies, loopback [<= 1.05]
  creates_vs_requests 20 creates / a requests.Session sending the same bodies [<= 1.05]
  wait                polls per task / a fixed poller noticing completion as soon on average,
                      tasks of 30 s-5 min in virtual time [<= 1.2]
  jobs                client CPU per request over 1,000 concurrent async create+wait jobs /
                      raw httpx.AsyncClient sending the same requests [tracked]
  download_rss        peak RSS growth streaming a 200 MB result [< 30 MB]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import batch_bench  # issue 10: CPU scaling with jobs, batch throughput
from bench_timing import Figure
from call_bench import bench_creates, bench_get
from cold_bench import bench_cold_start
from load_bench import bench_download_rss, bench_jobs
from wait_bench import bench_wait

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench-results" / "bench.json"
_SUMMARY_KEYS = ("ratio", "value", "unit", "target", "met", "baseline")


def _measured(row: dict[str, Any]) -> str:
    if "ratio" in row:
        return f"{row['ratio']:.3f}"
    return f"{row['value']:.4g} {row['unit']}"


def _details(row: dict[str, Any]) -> str:
    return ", ".join(
        f"{key}={value:.4g}" if isinstance(value, float) else f"{key}={value}"
        for key, value in row.items()
        if key not in _SUMMARY_KEYS and isinstance(value, int | float | str)
    )


def print_table(results: dict[str, Figure]) -> None:
    print(f"{'figure':<20}{'measured':>22}  {'target':<10}{'':<7} baseline")
    for name, row in results.items():
        verdict = "" if "met" not in row else "ok" if row["met"] else "MISSED"
        print(f"{name:<20}{_measured(row):>22}  {row['target']:<10}{verdict:<7} {row['baseline']}")
        print(f"{'':<20}{_details(row)}")
    schedules = results["wait"]["schedules"]
    print("\nwait() trade-off (PollSchedule -> mean polls per task, mean detection delay):")
    for name, row in schedules.items():
        print(
            f"  {name:<8} {row['schedule']:<30} {row['polls']:6.1f} polls {row['delay_s']:5.2f} s"
            f"   fixed {row['fixed_interval_s']:.2f} s poller: {row['fixed_polls']:6.1f} polls"
            f"   ratio {row['ratio']:.3f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="kling-edit benchmarks (ratios to baselines)")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = parser.parse_args(argv)
    quick = args.quick
    RESULTS.parent.mkdir(exist_ok=True)
    started = time.perf_counter()
    # Each bench returns its figures by name.
    benches: list[functools.partial[dict[str, Figure]]] = [
        functools.partial(bench_cold_start, rounds=5 if quick else 15),
        functools.partial(bench_get, calls=200, rounds=5 if quick else 25),
        functools.partial(bench_creates, count=20, rounds=3 if quick else 15),
        functools.partial(bench_wait, count=200 if quick else 1000),
        functools.partial(bench_jobs, jobs=100 if quick else 1000, job_seconds=5.0, rounds=1),
        functools.partial(bench_download_rss, (20 if quick else 200) * 2**20, RESULTS.parent),
        functools.partial(batch_bench.run, quick),
    ]
    results: dict[str, Figure] = {}
    for bench in benches:
        print(f"running {bench.func.__name__}", file=sys.stderr, flush=True)
        results.update(bench())
    print_table(results)
    report = {
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
            "quick": quick,
            "seconds": time.perf_counter() - started,
        },
        "figures": results,
    }
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written: {RESULTS.relative_to(ROOT)} ({report['machine']['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
