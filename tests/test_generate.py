"""The drift check: a hand edit in generated/ or an unregenerated spec change is caught."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from spec_helpers import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import generate

sys.path.pop(0)


@pytest.fixture
def generated_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "generated"
    shutil.copytree(ROOT / "generated", copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_an_untouched_copy_shows_no_drift(generated_copy: Path) -> None:
    assert generate._differences(ROOT / "generated", generated_copy) == []


def test_a_hand_edit_is_drift(generated_copy: Path) -> None:
    edited = generated_copy / "kling_edit_api" / "models" / "task.py"
    edited.write_text(edited.read_text() + "# tweak\n")
    assert generate._differences(ROOT / "generated", generated_copy) == [str(edited)]


def test_an_added_file_is_drift(generated_copy: Path) -> None:
    (generated_copy / "kling_edit_api" / "extra.py").write_text("")
    assert len(generate._differences(ROOT / "generated", generated_copy)) == 1


def test_the_record_covers_every_route_file() -> None:
    record = json.loads((ROOT / "generated" / generate.RECORD).read_text())
    routes = (ROOT / "openapi" / "routes").glob("*.yaml")
    assert {f"openapi/routes/{path.name}" for path in routes} <= set(record["inputs"])
