"""Read the bundled spec, docs/api-reference.md's tables and tests/fixtures/, and validate bodies
against the spec, for the contract tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import referencing
import yaml
from referencing.jsonschema import DRAFT202012

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_PATH = ROOT / "docs" / "api-reference.md"
FIXTURES_DIR = ROOT / "tests" / "fixtures"
FIXTURE_KINDS = ("request", "response", "callback")
BUNDLE_PATH = ROOT / "openapi" / "kling-edit.openapi.yaml"
BUNDLE_URI = "urn:kling-edit:bundle"

# Every route of api-facts: (method, path, operationId).
ROUTES = (
    ("post", "/kling/v1/videos/multi-elements/init-selection", "init_selection"),
    ("post", "/kling/v1/videos/multi-elements/add-selection", "add_selection"),
    ("post", "/kling/v1/videos/multi-elements/delete-selection", "delete_selection"),
    ("post", "/kling/v1/videos/multi-elements/clear-selection", "clear_selection"),
    ("post", "/kling/v1/videos/multi-elements/preview-selection", "preview_selection"),
    ("post", "/kling/v1/videos/multi-elements", "create_task"),
    ("get", "/kling/v1/videos/multi-elements/{task_id}", "get_task"),
    ("get", "/kling/v1/videos/multi-elements", "list_tasks"),
)
POST_ROUTES = tuple(route for route in ROUTES if route[0] == "post")


@cache
def bundle() -> dict[str, Any]:
    """The committed bundle, parsed."""
    with BUNDLE_PATH.open(encoding="utf-8") as handle:
        document: dict[str, Any] = yaml.safe_load(handle)
    return document


def operation(method: str, path: str) -> dict[str, Any]:
    """The operation object of one route in the bundle."""
    found: dict[str, Any] = bundle()["paths"][path][method]
    return found


def _pointer(*parts: str) -> str:
    return "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


@cache
def _validator(pointer: str) -> jsonschema.protocols.Validator:
    resource = referencing.Resource.from_contents(bundle(), default_specification=DRAFT202012)
    registry: referencing.Registry[Any] = referencing.Registry().with_resource(BUNDLE_URI, resource)
    schema = {"$ref": f"{BUNDLE_URI}#/{pointer}"}
    validator: jsonschema.protocols.Validator = jsonschema.Draft202012Validator(
        schema, registry=registry
    )
    return validator


def request_validator(path: str) -> jsonschema.protocols.Validator:
    """A Draft 2020-12 validator for the JSON request body of POST `path`, `$ref`s resolved."""
    return _validator(
        _pointer("paths", path, "post", "requestBody", "content", "application/json", "schema")
    )


def response_validator(method: str, path: str) -> jsonschema.protocols.Validator:
    """A Draft 2020-12 validator for the 200 JSON response of `method path`."""
    return _validator(
        _pointer("paths", path, method, "responses", "200", "content", "application/json", "schema")
    )


def schema_validator(name: str) -> jsonschema.protocols.Validator:
    """A Draft 2020-12 validator for the bundle's `components.schemas[name]`."""
    return _validator(_pointer("components", "schemas", name))


def assert_valid_request(path: str, body: Any) -> None:
    """Fail with every schema error when `body` is not a valid request body for POST `path`."""
    errors = [error.message for error in request_validator(path).iter_errors(body)]
    assert not errors, f"body for POST {path} breaks the spec: {errors}"


def reference_table(heading: str) -> list[dict[str, str]]:
    """The first markdown table under `## heading` in docs/api-reference.md."""
    return markdown_table(REFERENCE_PATH, heading)


def markdown_table(path: Path, heading: str) -> list[dict[str, str]]:
    """The first markdown table under `## heading` in `path`, one dict a row (header cell ->
    cell text, backticks stripped)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index(f"## {heading}")
    rows: list[list[str]] = []
    for line in lines[start + 1 :]:
        if line.startswith("## "):
            break
        if line.startswith("|"):
            rows.append([cell.strip().strip("`") for cell in line.strip().strip("|").split("|")])
        elif rows:
            break
    header, _rule, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]


@dataclass(frozen=True)
class Fixture:
    """One published example: `provider/route[.variant].kind.json` under tests/fixtures/."""

    provider: str
    route: str
    variant: str
    kind: str
    path: Path

    @property
    def body(self) -> Any:
        return json.loads(self.path.read_text(encoding="utf-8"))

    @property
    def name(self) -> str:
        return str(self.path.relative_to(FIXTURES_DIR).with_suffix(""))


def fixtures(kind: str | None = None, route: str | None = None) -> list[Fixture]:
    """The fixtures of one kind ("request", "response" or "callback") and route, or all."""
    found = []
    for path in sorted(FIXTURES_DIR.glob("*/*.json")):
        parts = path.name.split(".")
        if len(parts) not in (3, 4) or parts[-2] not in FIXTURE_KINDS:
            raise ValueError(f"{path}: name it provider/route[.variant].kind.json")
        fixture = Fixture(
            provider=path.parent.name,
            route=parts[0],
            variant=parts[1] if len(parts) == 4 else "",
            kind=parts[-2],
            path=path,
        )
        if kind in (None, fixture.kind) and route in (None, fixture.route):
            found.append(fixture)
    return found
