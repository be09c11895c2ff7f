"""The vendored spec: valid, complete, faithful to upstream, and its examples hold."""

from __future__ import annotations

import copy
import hashlib
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from spec_helpers import (
    POST_ROUTES,
    ROOT,
    ROUTES,
    Fixture,
    assert_valid_request,
    bundle,
    fixtures,
    operation,
    request_validator,
    response_validator,
    schema_validator,
)

sys.path.insert(0, str(ROOT / "scripts"))
import bundle_spec

sys.path.pop(0)

CREATE_PATH = "/kling/v1/videos/multi-elements"
SEED_PAGE = ROOT.parent / "shared" / "seed" / "000_fa8d9ff111345574.txt"
CREATE_ROUTE_FILE = ROOT / "openapi" / "routes" / "create-task.yaml"
SOURCES_PATH = ROOT / "openapi" / "SOURCES.md"
ERROR_STATUSES = {"400", "401", "403", "404", "429", "500", "503", "504"}


def _seed_yaml_block(page: Path) -> str:
    lines = page.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("````yaml")) + 1
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("````"))
    return "".join(lines[start:end])


def _seed_create_operation() -> dict[str, Any]:
    """Upstream's create operation with our overlays applied, as the bundle should carry it."""
    openapi_dir = ROOT / "openapi"
    document = bundle_spec.load_route(
        openapi_dir, CREATE_ROUTE_FILE.name, bundle_spec.overlays_by_route(openapi_dir)
    )
    found: dict[str, Any] = bundle_spec.localize_refs(document)["paths"][CREATE_PATH]["post"]
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


def test_create_route_file_is_upstreams_file_byte_for_byte() -> None:
    recorded = re.search(r"upstream sha256: `([0-9a-f]{64})`", SOURCES_PATH.read_text())
    assert recorded, "openapi/SOURCES.md records no upstream sha256"
    assert hashlib.sha256(CREATE_ROUTE_FILE.read_bytes()).hexdigest() == recorded[1]


@pytest.mark.skipif(not SEED_PAGE.exists(), reason="shared/seed is not beside this checkout")
def test_create_route_file_is_the_seed_block_byte_for_byte() -> None:
    # An extra check where the seed page itself is at hand: the recorded hash is the seed's.
    assert CREATE_ROUTE_FILE.read_text(encoding="utf-8") == _seed_yaml_block(SEED_PAGE)


def test_create_route_in_the_bundle_is_upstream_plus_the_overlay() -> None:
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
        assert set(responses) == {"200"} | ERROR_STATUSES, path


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
    ],
)
def test_bad_create_bodies_are_rejected_by_the_same_validator(body: dict[str, Any]) -> None:
    assert not request_validator(CREATE_PATH).is_valid(body)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({}, id="neither"),
        pytest.param({"video_url": "", "video_id": ""}, id="both-empty"),
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


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"video_id": "", "video_url": "https://h/v.mp4"}, id="empty-id"),
        pytest.param({"video_id": "842250903629086785", "video_url": ""}, id="empty-url"),
        pytest.param({"video_url": "https://h/signed?sig=1"}, id="url-without-extension"),
    ],
)
def test_init_takes_an_empty_string_as_not_given(body: dict[str, Any]) -> None:
    assert_valid_request("/kling/v1/videos/multi-elements/init-selection", body)


def _route(fixture: Fixture) -> tuple[str, str]:
    operation_id = fixture.route.replace("-", "_")
    return next((method, path) for method, path, name in ROUTES if name == operation_id)


@pytest.mark.parametrize("fixture", fixtures("request"), ids=lambda fixture: fixture.name)
def test_every_published_request_example_validates(fixture: Fixture) -> None:
    method, path = _route(fixture)
    assert method == "post"
    assert_valid_request(path, fixture.body)


@pytest.mark.parametrize("fixture", fixtures("response"), ids=lambda fixture: fixture.name)
def test_every_published_response_example_validates(fixture: Fixture) -> None:
    errors = list(response_validator(*_route(fixture)).iter_errors(fixture.body))
    assert not errors, [error.message for error in errors]


def test_the_legacy_callback_example_is_a_task() -> None:
    (legacy,) = [fixture for fixture in fixtures("callback") if fixture.variant == "legacy"]
    assert not list(schema_validator("Task").iter_errors(legacy.body))


def test_every_route_has_published_examples() -> None:
    """Kling's page gives a request for each POST route and a response for every route."""
    kling = [fixture for fixture in fixtures() if fixture.provider == "kling"]
    requests = {fixture.route for fixture in kling if fixture.kind == "request"}
    responses = {fixture.route for fixture in kling if fixture.kind == "response"}
    assert requests == {name.replace("_", "-") for _, _, name in POST_ROUTES}
    assert responses == {name.replace("_", "-") for _, _, name in ROUTES}
    assert {fixture.variant for fixture in fixtures("callback")} >= {"legacy", "new"}


def test_cometapi_fixtures_are_the_examples_of_the_vendored_page() -> None:
    upstream = yaml.safe_load(CREATE_ROUTE_FILE.read_text(encoding="utf-8"))
    examples = upstream["paths"][CREATE_PATH]["post"]["requestBody"]["content"]["application/json"][
        "examples"
    ]
    published = {
        fixture.variant: fixture.body for fixture in fixtures() if fixture.provider == "cometapi"
    }
    assert published == {name.lower(): example["value"] for name, example in examples.items()}
