"""Overlays and `make vendor`: upstream stays verbatim, our additions apply on top, and a new
upstream revision is reported change by change, in a temporary copy of the tree."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from spec_helpers import FIXTURES_DIR, ROOT, markdown_table, reference_table

sys.path.insert(0, str(ROOT / "scripts"))
import overlay

sys.path.pop(0)

SOURCES = ROOT / "openapi" / "SOURCES.md"
NEXT_REVISION = FIXTURES_DIR / "upstream" / "create-task.next.yaml"
CREATE = "POST /kling/v1/videos/multi-elements"


def _overlay(*actions: dict[str, Any]) -> dict[str, Any]:
    return {"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": list(actions)}


DOCUMENT = {"paths": {"/a/{id}": {"post": {"tags": ["x"], "summary": "s", "x-n": 1}}}}


def test_update_merges_into_an_object_and_appends_to_an_array() -> None:
    result = overlay.apply(
        DOCUMENT,
        _overlay(
            {"target": "$.paths['/a/{id}'].post", "update": {"summary": "new", "x-m": {"k": 1}}},
            {"target": '$.paths["/a/{id}"].post.tags', "update": "y"},
        ),
    )
    assert result["paths"]["/a/{id}"]["post"] == {
        "tags": ["x", "y"],
        "summary": "new",
        "x-n": 1,
        "x-m": {"k": 1},
    }
    assert DOCUMENT["paths"]["/a/{id}"]["post"]["summary"] == "s"  # the input is not changed


def test_remove_deletes_every_match() -> None:
    result = overlay.apply(DOCUMENT, _overlay({"target": "$.paths.*.post['x-n']", "remove": True}))
    assert result["paths"]["/a/{id}"]["post"] == {"tags": ["x"], "summary": "s"}


def test_an_action_whose_target_vanished_fails_naming_it() -> None:
    with pytest.raises(overlay.OverlayError, match=r"action 2 \(K9 gone\).*matches nothing"):
        overlay.apply(
            DOCUMENT,
            _overlay(
                {"target": "$.paths", "update": {}},
                {"target": "$.paths['/b'].post", "description": "K9 gone", "remove": True},
            ),
        )


@pytest.mark.parametrize("target", ["paths", "$..post", "$.paths[?(@.x)]", "$"])
def test_unsupported_targets_are_refused(target: str) -> None:
    with pytest.raises(overlay.OverlayError):
        overlay.apply(DOCUMENT, _overlay({"target": target, "remove": True}))


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of what `make vendor` reads and writes: openapi/ and scripts/."""
    for name in ("openapi", "scripts"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def _vendor(tree: Path, source: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(tree / "scripts" / "vendor.py"), str(source), "--no-generate"],
        capture_output=True,
        text=True,
        check=False,
    )


def test_vendor_reports_each_change_and_marks_the_breaking_ones(tree: Path) -> None:
    done = _vendor(tree, NEXT_REVISION)

    assert done.returncode == 0, done.stderr
    request = f"{CREATE} request"
    assert done.stdout.splitlines() == [
        "API surface changes:",
        f"change    {CREATE} answer: new field data.queue_position (integer)",
        f"BREAKING  {request}: field negative_prompt removed",
        f"BREAKING  {request}: new required field aspect_ratio (string)",
        f"change    {request}: new field seed (integer)",
        f"BREAKING  {request}: field duration type string -> integer",
        f"BREAKING  {request}: field mode enum value 'pro' removed",
        "6 changes, 4 breaking callers",
    ]
    upstream = tree / "openapi" / "routes" / "create-task.yaml"
    assert upstream.read_bytes() == NEXT_REVISION.read_bytes()
    digest = hashlib.sha256(NEXT_REVISION.read_bytes()).hexdigest()
    assert f"upstream sha256: `{digest}`" in (tree / "openapi" / "SOURCES.md").read_text()
    # The overlay still applies on top of the new revision.
    bundled = yaml.safe_load((tree / "openapi" / "kling-edit.openapi.yaml").read_text())
    body = bundled["paths"]["/kling/v1/videos/multi-elements"]["post"]["requestBody"]
    assert "watermark_info" in body["content"]["application/json"]["schema"]["properties"]


def test_vendoring_the_same_file_reports_no_change(tree: Path) -> None:
    done = _vendor(tree, ROOT / "openapi" / "routes" / "create-task.yaml")

    assert (done.returncode, done.stdout) == (0, "API surface: no change\n")


def test_vendor_fails_clearly_when_an_overlay_target_vanished(tree: Path) -> None:
    document = yaml.safe_load(NEXT_REVISION.read_text())
    schema = document["paths"]["/kling/v1/videos/multi-elements"]["post"]["requestBody"]
    del schema["content"]["application/json"]["schema"]["properties"]["image_list"]
    source = tree / "without-image-list.yaml"
    source.write_text(yaml.safe_dump(document))
    before = {path: path.read_bytes() for path in (tree / "openapi").rglob("*") if path.is_file()}

    done = _vendor(tree, source)

    assert done.returncode == 1
    assert "create-task.kling.yaml: action 2 (K2 a removal may send an empty image_list)" in (
        done.stderr
    )
    assert "matches nothing" in done.stderr
    after = {path: path.read_bytes() for path in (tree / "openapi").rglob("*") if path.is_file()}
    assert after == before  # nothing half-vendored is left behind


def test_every_overlay_action_cites_a_source_in_sources_md() -> None:
    cited = {row["id"]: row["source"] for row in markdown_table(SOURCES, "Overlay actions")}
    for path in sorted((ROOT / "openapi" / "overlays").glob("*.yaml")):
        for action in overlay.load(path)["actions"]:
            action_id = action["description"].split()[0]
            assert cited.get(action_id, "").startswith("K"), (path.name, action_id)


def test_every_rule_names_its_source() -> None:
    rules = reference_table("Rule table")
    assert [row["id"] for row in rules] == [f"R{number}" for number in range(1, len(rules) + 1)]
    for row in rules:
        assert {"K", "C", "client-side only", "UNSURE"} & set(
            part.split(" (")[0] for part in row["source"].replace(", ", ",").split(",")
        ), row
