"""The Makefile's choice of Python: newest supported on PATH, a clear refusal, venv rebuilds.

Each test copies the Makefile into a temporary folder with fake interpreters (shell scripts that
print a version) and asks ``make -n`` what it would do, so nothing is installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from spec_helpers import ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")


def _fake_python(path: Path, version: str | None) -> Path:
    """A script that prints ``version`` as the probe does, or fails like an unselected pyenv
    shim when ``version`` is None."""
    body = f"echo {version}" if version else "echo 'pyenv: command not found' >&2; exit 127"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def _make_n(
    project: Path, *args: str, path: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MAKE")}
    env.pop("PYTHON", None)
    if path is not None:
        env["PATH"] = f"{path}{os.pathsep}/usr/bin{os.pathsep}/bin"
    return subprocess.run(
        ["make", "-n", *args], cwd=project, env=env, capture_output=True, text=True, check=False
    )


def test_an_interpreter_older_than_3_11_is_refused_with_a_clear_message(project: Path) -> None:
    old = _fake_python(project / "fake" / "python", "3.10.4")

    result = _make_n(project, "test", f"PYTHON={old}")

    assert result.returncode != 0
    assert f"PYTHON={old} is Python 3.10.4; kling-edit needs Python 3.11 or newer" in result.stderr


def test_an_interpreter_that_does_not_run_is_named(project: Path) -> None:
    result = _make_n(project, "install", "PYTHON=/nonexistent/python3.12")

    assert result.returncode != 0
    assert "PYTHON=/nonexistent/python3.12 does not run" in result.stderr


def test_the_newest_supported_python_that_runs_is_picked(project: Path) -> None:
    bin_dir = project / "bin"
    _fake_python(bin_dir / "python3.13", None)  # a pyenv shim of a version not selected
    _fake_python(bin_dir / "python3.12", "3.12.1")
    _fake_python(bin_dir / "python3.11", "3.11.7")

    result = _make_n(project, "install", path=bin_dir)

    assert result.returncode == 0, result.stderr
    assert "python3.12 -m venv .venv" in result.stdout


def test_a_venv_made_by_another_interpreter_is_rebuilt(project: Path) -> None:
    _fake_python(project / ".venv" / "bin" / "python", "3.11.7")
    (project / ".venv" / ".installed").touch()
    same = _fake_python(project / "fake" / "same", "3.11.7")
    newer = _fake_python(project / "fake" / "newer", "3.13.0")

    current = _make_n(project, "install", f"PYTHON={same}")
    switched = _make_n(project, "install", f"PYTHON={newer}")

    assert "Nothing to be done" in current.stdout
    assert 'if [ "3.11.7" != "3.13.0" ]' in switched.stdout
    assert f"rm -rf .venv && {newer} -m venv .venv" in switched.stdout
