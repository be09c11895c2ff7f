"""Take a new revision of the vendored upstream file and report what it changes in the API surface.

Usage: python scripts/vendor.py SRC [--no-generate]      (or: make vendor SRC=...)

Replaces openapi/routes/create-task.yaml with SRC byte for byte, records its sha256 in
openapi/SOURCES.md, re-applies the overlays (failing, and putting the old file back, when an
overlay action's target vanished), regenerates the bundle and generated/ (only the bundle with
--no-generate), and prints every change in routes, fields, enum values and required-ness,
marking those that break callers: a removed route or field, a new required request field, a
field no longer guaranteed in an answer, a removed enum value, a type change.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from bundle_spec import BUNDLE_PATH, OPENAPI_DIR, BundleError, bundle, render

UPSTREAM_NAME = "create-task.yaml"
SHA_LINE = re.compile(r"upstream sha256: `[0-9a-f]{64}`")
HTTP_METHODS = ("get", "put", "post", "delete", "patch")


class Field(NamedTuple):
    """One field of a request or answer body, as callers see it."""

    type: str
    required: bool
    enum: tuple[str, ...]


Surface = dict[str, dict[str, Field] | None]


def _resolve(node: Any, root: dict[str, Any]) -> Any:
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        target: Any = root
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = {**target, **{key: value for key, value in node.items() if key != "$ref"}}
    return node


def _fields(
    schema: Any, root: dict[str, Any], prefix: str, required: bool
) -> Iterator[tuple[str, Field]]:
    schema = _resolve(schema, root)
    if not isinstance(schema, dict):
        return
    kind = schema.get("type", "object" if "properties" in schema else "any")
    if prefix:
        enum = tuple(str(value) for value in schema.get("enum", ()))
        yield prefix, Field(str(kind), required, enum)
    if kind == "array":
        yield from _fields(schema.get("items", {}), root, f"{prefix}[]", True)
        return
    wanted = set(schema.get("required", ()))
    for part in schema.get("allOf", ()):  # upstream's if/then carries no properties
        wanted |= set(_resolve(part, root).get("required", ()))
    # Required means "always there": a required field of an optional object is not.
    for name, child in schema.get("properties", {}).items():
        path = f"{prefix}.{name}" if prefix else name
        yield from _fields(child, root, path, required and name in wanted)


def surface(document: dict[str, Any]) -> Surface:
    """`METHOD path request|answer` -> its fields (None: the route has no such body)."""
    found: Surface = {}
    for path, item in document["paths"].items():
        for method in (name for name in HTTP_METHODS if name in item):
            operation = item[method]
            route = f"{method.upper()} {path}"
            body = _resolve(operation.get("requestBody", {}), document)
            schema = body.get("content", {}).get("application/json", {}).get("schema")
            found[f"{route} request"] = (
                dict(_fields(schema, document, "", True)) if schema else None
            )
            parameters: dict[str, dict[str, Field]] = {}
            for node in operation.get("parameters", ()):
                parameter = _resolve(node, document)
                required = bool(parameter.get("required"))
                schema = parameter.get("schema", {})
                parameters.setdefault(f"{route} {parameter['in']} parameters", {}).update(
                    _fields(schema, document, parameter["name"], required)
                )
            found.update(parameters)
            answer = _resolve(operation["responses"].get("200", {}), document)
            schema = answer.get("content", {}).get("application/json", {}).get("schema")
            found[f"{route} answer"] = dict(_fields(schema, document, "", True)) if schema else None
    return found


def _field_changes(
    where: str, old: dict[str, Field], new: dict[str, Field]
) -> Iterator[tuple[bool, str]]:
    sends = not where.endswith(" answer")  # the caller sends it (request, parameters)
    for name in sorted(old.keys() - new.keys()):
        yield True, f"{where}: field {name} removed"
    for name in sorted(new.keys() - old.keys()):
        field = new[name]
        mandatory = sends and field.required
        yield (
            mandatory,
            f"{where}: new {'required ' if mandatory else ''}field {name} ({field.type})",
        )
    for name in sorted(old.keys() & new.keys()):
        before, after = old[name], new[name]
        if before.type != after.type:
            yield True, f"{where}: field {name} type {before.type} -> {after.type}"
        if before.required != after.required:
            # A sender must now send it; a reader can no longer count on it.
            breaks = after.required if sends else before.required
            state = "required" if after.required else "optional"
            yield breaks, f"{where}: field {name} is now {state}"
        for value in sorted(set(before.enum) - set(after.enum)):
            yield True, f"{where}: field {name} enum value {value!r} removed"
        for value in sorted(set(after.enum) - set(before.enum)):
            yield False, f"{where}: field {name} enum value {value!r} added"


def changes(old: Surface, new: Surface) -> list[tuple[bool, str]]:
    """(breaks callers, description) for every difference between two surfaces."""
    found: list[tuple[bool, str]] = []
    for where in sorted(old.keys() | new.keys()):
        before, after = old.get(where, {}), new.get(where, {})
        if where not in new:
            found.append((True, f"{where}: removed"))
        elif where not in old:
            found.append((False, f"{where}: added"))
        found += _field_changes(where, before or {}, after or {})
    return found


def report(found: list[tuple[bool, str]]) -> str:
    """The printed report: one line a change, breaking ones marked, then a count."""
    if not found:
        return "API surface: no change\n"
    lines = [f"{'BREAKING' if breaks else 'change  '}  {text}" for breaks, text in found]
    breaking = sum(breaks for breaks, _ in found)
    lines.append(f"{len(found)} changes, {breaking} breaking callers")
    return "API surface changes:\n" + "\n".join(lines) + "\n"


def _record_sha(sources: Path, data: bytes) -> None:
    text = sources.read_text(encoding="utf-8")
    new_line = f"upstream sha256: `{hashlib.sha256(data).hexdigest()}`"
    if not SHA_LINE.search(text):
        raise BundleError(f"{sources}: no 'upstream sha256' line to update")
    sources.write_text(SHA_LINE.sub(new_line, text), encoding="utf-8")


def vendor(source: Path, openapi_dir: Path = OPENAPI_DIR) -> list[tuple[bool, str]]:
    """Install `source` as the upstream file and answer the surface changes; on a BundleError
    the previous upstream file and SOURCES.md are put back."""
    upstream = openapi_dir / "routes" / UPSTREAM_NAME
    sources = openapi_dir / "SOURCES.md"
    before = surface(bundle(openapi_dir))
    saved = upstream.read_bytes(), sources.read_bytes()
    data = source.read_bytes()
    upstream.write_bytes(data)
    try:
        _record_sha(sources, data)
        document = bundle(openapi_dir)
    except BundleError:
        upstream.write_bytes(saved[0])
        sources.write_bytes(saved[1])
        raise
    (openapi_dir / BUNDLE_PATH.name).write_text(render(document), encoding="utf-8")
    return changes(before, surface(document))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="the new revision of the upstream file")
    parser.add_argument("--no-generate", action="store_true", help="skip regenerating generated/")
    args = parser.parse_args(argv)
    try:
        found = vendor(args.source)
    except BundleError as error:
        print(
            f"vendor: {error}\nvendor: nothing changed; fix or drop that overlay action",
            file=sys.stderr,
        )
        return 1
    if not args.no_generate:
        import generate

        if generate.main([]) != 0:
            return 1
    sys.stdout.write(report(found))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
