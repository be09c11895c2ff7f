"""The cold-start figure: import plus first call, in a venv holding only the runtime dependencies.

The dev venv would flatter both sides alike (click and rich make `import httpx` load its CLI),
so the bench builds `bench-results/runtime-venv` with `python -m venv` and `pip install .`
(no extras) and reuses it while the package and its dependencies are unchanged. Nothing else
lives here.
"""

from __future__ import annotations

import functools
import hashlib
import json
import subprocess
import sys
from pathlib import Path

from bench_timing import Figure, compare, interleaved, median

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_VENV = ROOT / "bench-results" / "runtime-venv"
CHILD = Path(__file__).resolve().parent / "cold_start_child.py"
_STAMP = RUNTIME_VENV / "kling-edit-bench.json"
_PIP = ("-m", "pip", "install", "--quiet", "--disable-pip-version-check")


def _digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _fingerprint() -> dict[str, str]:
    sources = sorted(
        path
        for folder in (ROOT / "wrapper", ROOT / "generated")
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )
    return {
        # A change here may drop a dependency: the venv is rebuilt from empty.
        "environment": sys.version + _digest([ROOT / "pyproject.toml"]),
        # A change here only needs the package itself reinstalled.
        "sources": _digest(sources),
    }


def runtime_python() -> Path:
    """The runtime venv's interpreter, built or brought up to date first."""
    python = RUNTIME_VENV / "bin" / "python"
    wanted = _fingerprint()
    try:
        built = json.loads(_STAMP.read_text())
    except (OSError, ValueError):
        built = {}
    if built.get("environment") != wanted["environment"] or not python.exists():
        print(f"building {RUNTIME_VENV.relative_to(ROOT)} (runtime dependencies only)", flush=True)
        _quietly(sys.executable, "-m", "venv", "--clear", str(RUNTIME_VENV))
        _quietly(python, *_PIP, str(ROOT))
    elif built.get("sources") != wanted["sources"]:
        _quietly(python, *_PIP, "--no-deps", str(ROOT))
    _STAMP.write_text(json.dumps(wanted))
    return python


def _quietly(*command: str | Path) -> str:
    """Run a build step, showing its chatter (pip's index warnings) only when it fails."""
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode:
        sys.stderr.write(result.stdout + result.stderr)
        result.check_returncode()
    return result.stdout


def bench_cold_start(rounds: int) -> dict[str, Figure]:
    python = runtime_python()
    # Per side, one row per round: CPU s of the imports and the first call, then wall s of both.
    phases: dict[str, list[list[float]]] = {"kling_edit": [], "httpx": []}

    def side(name: str) -> float:
        timings = [float(value) for value in _quietly(python, CHILD, name).split()]
        phases[name].append(timings)
        return timings[0] + timings[1]

    warmup = 2
    samples = interleaved(
        {name: functools.partial(side, name) for name in phases}, rounds=rounds, warmup=warmup
    )

    def ms(name: str, column: int) -> float:
        return median([row[column] for row in phases[name][warmup:]]) * 1e3

    return {
        "cold_start": compare(
            samples,
            "httpx",
            baseline="import httpx + the same GET and json() (same MockTransport, fresh interpreter"
            " of the runtime-only venv; CPU time)",
            target=1.5,
            unit="ms",
            scale=1e3,
            import_ratio=ms("kling_edit", 0) / ms("httpx", 0),
            kling_edit_import_ms=ms("kling_edit", 0),
            kling_edit_first_call_ms=ms("kling_edit", 1),
            httpx_import_ms=ms("httpx", 0),
            httpx_first_call_ms=ms("httpx", 1),
            wall_ratio=(ms("kling_edit", 2) + ms("kling_edit", 3))
            / (ms("httpx", 2) + ms("httpx", 3)),
            runs=rounds,
            venv=_quietly(
                python, "-m", "pip", "freeze", "--all", "--exclude", "kling-edit"
            ).split(),
        )
    }
