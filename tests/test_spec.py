"""The vendored spec: valid, complete, faithful to upstream, and its examples hold."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from spec_helpers import (
    POST_ROUTES,
    ROOT,
    ROUTES,
    assert_valid_request,
    bundle,
    operation,
    request_validator,
    response_validator,
)

CREATE_PATH = "/kling/v1/videos/multi-elements"
SEED_PAGE = ROOT.parent / "shared" / "seed" / "000_fa8d9ff111345574.txt"
CREATE_ROUTE_FILE = ROOT / "openapi" / "routes" / "create-task.yaml"


def _seed_yaml_block(page: Path) -> str:
    lines = page.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("````yaml")) + 1
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("````"))
    return "".join(lines[start:end])


def _seed_create_operation() -> dict[str, Any]:
    document = yaml.safe_load(CREATE_ROUTE_FILE.read_text(encoding="utf-8"))
    found: dict[str, Any] = document["paths"][CREATE_PATH]["post"]
    return found


def test_bundle_is_a_valid_openapi_document() -> None:
    validate(copy.deepcopy(bundle()))


def test_bundle_is_up_to_date_with_the_route_files() -> None:
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from bundle_spec import BUNDLE_PATH, render
        from bundle_spec import bundle as build_bundle
    finally:
        sys.path.pop(0)
    assert BUNDLE_PATH.read_text(encoding="utf-8") == render(build_bundle())


def test_every_route_of_the_api_is_present_with_its_method_and_path() -> None:
    found = {
        (method, path, op["operationId"])
        for path, item in bundle()["paths"].items()
        for method, op in item.items()
    }
    assert found == set(ROUTES)


@pytest.mark.skipif(not SEED_PAGE.exists(), reason="shared/seed is not beside this checkout")
def test_create_route_file_is_the_seed_block_byte_for_byte() -> None:
    assert CREATE_ROUTE_FILE.read_text(encoding="utf-8") == _seed_yaml_block(SEED_PAGE)


def test_create_route_in_the_bundle_matches_upstream() -> None:
    seed = _seed_create_operation()
    bundled = operation("post", CREATE_PATH)
    assert bundled["requestBody"] == seed["requestBody"]
    assert bundled["responses"]["200"] == seed["responses"]["200"]
    assert {key: value for key, value in bundled.items() if key != "responses"} == {
        key: value for key, value in seed.items() if key != "responses"
    }


def test_every_route_declares_the_error_envelope() -> None:
    for method, path, _ in ROUTES:
        responses = operation(method, path)["responses"]
        assert {"400", "401", "404", "429", "500"} <= set(responses), path


def _request_examples() -> list[Any]:
    cases = []
    for _, path, operation_id in POST_ROUTES:
        content = operation("post", path)["requestBody"]["content"]["application/json"]
        for name, example in content["examples"].items():
            cases.append(pytest.param(path, example["value"], id=f"{operation_id}-{name}"))
    return cases


@pytest.mark.parametrize(("path", "body"), _request_examples())
def test_every_request_example_validates_against_its_schema(path: str, body: Any) -> None:
    assert_valid_request(path, body)


@pytest.mark.parametrize(("method", "path", "_operation_id"), ROUTES)
def test_every_response_example_validates_against_its_schema(
    method: str, path: str, _operation_id: str
) -> None:
    content = operation(method, path)["responses"]["200"]["content"]["application/json"]
    examples = [content["example"]] if "example" in content else []
    examples += [example["value"] for example in content.get("examples", {}).values()]
    if path == CREATE_PATH and method == "post":
        pytest.skip("upstream's create page gives no response example")
    assert examples, f"{method.upper()} {path} has no 200 example"
    for example in examples:
        assert not list(response_validator(method, path).iter_errors(example))


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"session_id": "s", "edit_mode": "addition", "prompt": "p"}, id="addition"),
        pytest.param({"session_id": "s", "edit_mode": "swap", "prompt": "p"}, id="swap"),
        pytest.param(
            {"session_id": "s", "edit_mode": "recolour", "prompt": "p"}, id="unknown-mode"
        ),
        pytest.param({"session_id": "s", "edit_mode": "removal"}, id="no-prompt"),
        pytest.param(
            {"session_id": "s", "edit_mode": "swap", "prompt": "p", "image_list": []},
            id="empty-image-list",
        ),
    ],
)
def test_bad_create_bodies_are_rejected_by_the_same_validator(body: dict[str, Any]) -> None:
    assert not request_validator(CREATE_PATH).is_valid(body)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({}, id="neither"),
        pytest.param({"video_url": "https://h/v.mp4", "video_id": "1"}, id="both"),
        pytest.param({"video_url": "ftp://h/v.mp4"}, id="not-http"),
    ],
)
def test_bad_init_bodies_are_rejected(body: dict[str, Any]) -> None:
    assert not request_validator("/kling/v1/videos/multi-elements/init-selection").is_valid(body)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"session_id": "s", "frame_index": -1, "points": [{"x": 0, "y": 0}]}),
        pytest.param({"session_id": "s", "frame_index": 0, "points": []}),
        pytest.param({"session_id": "s", "frame_index": 0, "points": [{"x": 1.5, "y": 0}]}),
        pytest.param({"session_id": "s", "frame_index": 0, "points": [{"x": 0.1, "y": 0}] * 11}),
    ],
)
def test_bad_selection_bodies_are_rejected(body: dict[str, Any]) -> None:
    assert not request_validator("/kling/v1/videos/multi-elements/add-selection").is_valid(body)
