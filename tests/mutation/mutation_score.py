"""`make mutation`: stage the sources, run mutmut, print the score and the surviving mutants.

mutmut maps only files under src/ (or the working folder) to their import names, so the run
happens in .mutation/, made afresh each run, where wrapper/ is copied to src/. Mutants listed
in equivalents.txt beside this file are left out of the score.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STAGE = ROOT / ".mutation"
EQUIVALENTS = Path(__file__).with_name("equivalents.txt")
TARGET_SCORE = 90.0


def stage(*, fresh: bool) -> None:
    """A fresh run starts clean (mutmut keeps old verdicts when only tests change); a re-run of
    named mutants copies only the tests, as new source files would reset every verdict."""
    if fresh:
        shutil.rmtree(STAGE, ignore_errors=True)
        STAGE.mkdir()
        shutil.copytree(ROOT / "wrapper", STAGE / "src")
        shutil.copy2(ROOT / "pyproject.toml", STAGE / "pyproject.toml")
        # Tests read the rule reference and the bundled spec (tests/spec_helpers.py).
        for folder in ("docs", "openapi"):
            shutil.copytree(ROOT / folder, STAGE / folder)
    shutil.copytree(ROOT / "tests", STAGE / "tests", dirs_exist_ok=True)


def equivalents() -> set[str]:
    """Mutant names from the file: one a line, `name  # why it changes nothing observable`."""
    names = set()
    for line in EQUIVALENTS.read_text().splitlines():
        name = line.split("#", 1)[0].strip()
        if name:
            names.add(name)
    return names


def results(mutmut: str) -> dict[str, str]:
    output = subprocess.run(
        [mutmut, "results", "--all", "true"], cwd=STAGE, check=True, capture_output=True, text=True
    ).stdout
    statuses = {}
    for line in output.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if name:
            statuses[name] = status
    return statuses


def main() -> int:
    # Mutant names given on the command line re-run just those, keeping the other verdicts.
    names = sys.argv[1:]
    stage(fresh=not names)
    mutmut = str(Path(sys.executable).with_name("mutmut"))
    children = os.environ.get("MUTATION_CHILDREN", "2")
    # The machine is shared: a low priority and at most two workers by default.
    subprocess.run(
        ["nice", "-n", "10", mutmut, "run", "--max-children", children, *names],
        cwd=STAGE,
        check=True,
    )
    statuses = results(mutmut)
    excluded = equivalents()
    stale = sorted(excluded - statuses.keys())
    counted = {name: status for name, status in statuses.items() if name not in excluded}
    # A mutant that makes the tests hang or crash is caught too.
    caught = ("killed", "timeout", "segfault", "caught by type check")
    killed = sum(status in caught for status in counted.values())
    survivors = sorted(name for name, status in counted.items() if status not in caught)
    for name in survivors:
        print(f"survived ({counted[name]}): {name}")
    for name in stale:
        print(f"equivalents.txt names no current mutant: {name}")
    score = 100.0 * killed / len(counted) if counted else 0.0
    print(
        f"mutation score: {score:.1f}% ({killed} killed of {len(counted)};"
        f" {len(statuses) - len(counted)} equivalent mutants left out)"
    )
    return 0 if score >= TARGET_SCORE else 1


if __name__ == "__main__":
    sys.exit(main())
