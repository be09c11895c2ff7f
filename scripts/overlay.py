"""Apply an OpenAPI Overlay 1.0 document to a parsed OpenAPI document.

The subset the project needs: `update` and `remove` actions, whose `target` is a JSONPath made
of `$`, `.name`, `['name']` / `["name"]`, `[index]` and the wildcards `.*` / `[*]` (no filters,
no recursive descent). As Overlay 1.0 says, an `update` is merged recursively into an object
target (objects merge, anything else is replaced) and appended to an array target, and the
actions run in order. Unlike some tools, an action whose target matches nothing is an error:
it means the upstream document changed under the overlay.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

# One step after `$`: `.name`, `.*`, `['name']`, `["name"]`, `[3]` or `[*]`.
_STEP = re.compile(
    r"""\.(?P<name>[A-Za-z_][\w-]*|\*)"""
    r"""|\[(?:'(?P<single>[^']*)'|"(?P<double>[^"]*)"|(?P<index>\d+)|(?P<star>\*))\]"""
)
WILDCARD = object()


class OverlayError(Exception):
    """The overlay is malformed, or one of its actions cannot be applied."""


def parse_target(target: str) -> list[Any]:
    """The steps of a JSONPath target: names (str), indexes (int) or WILDCARD."""
    if not target.startswith("$"):
        raise OverlayError(f"target {target!r} does not start with $")
    steps: list[Any] = []
    position = 1
    while position < len(target):
        match = _STEP.match(target, position)
        if match is None:
            raise OverlayError(f"target {target!r}: unsupported JSONPath at {target[position:]!r}")
        if match["index"] is not None:
            steps.append(int(match["index"]))
        elif match["star"] is not None or match["name"] == "*":
            steps.append(WILDCARD)
        else:
            steps.append(
                next(
                    group for group in match.group("name", "single", "double") if group is not None
                )
            )
        position = match.end()
    return steps


def _children(node: Any, step: Any) -> Iterator[tuple[Any, Any]]:
    """(container, key) for each child of `node` that `step` selects."""
    if isinstance(node, dict):
        keys: list[Any] = list(node) if step is WILDCARD else [step] if step in node else []
    elif isinstance(node, list):
        indexes = range(len(node))
        keys = list(indexes) if step is WILDCARD else [step] if step in indexes else []
    else:
        keys = []
    yield from ((node, key) for key in keys)


def select(document: Any, target: str) -> list[tuple[Any, Any]]:
    """(container, key) of every node `target` selects; the root alone has no container."""
    steps = parse_target(target)
    if not steps:
        raise OverlayError("target '$' (the whole document) is not supported")
    found: list[tuple[Any, Any]] = [(None, None)]
    for step in steps:
        found = [
            child
            for container, key in found
            for child in _children(document if container is None else container[key], step)
        ]
    return found


def _merge(target: Any, update: Any) -> Any:
    if isinstance(target, dict) and isinstance(update, dict):
        merged = dict(target)
        for key, value in update.items():
            merged[key] = _merge(merged[key], value) if key in merged else copy.deepcopy(value)
        return merged
    if isinstance(target, list):
        return [*target, copy.deepcopy(update)]
    return copy.deepcopy(update)


def _describe(number: int, action: dict[str, Any]) -> str:
    label = action.get("description", "").split("\n")[0]
    return f"action {number} ({label or action.get('target')!s})"


def apply(document: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """A copy of `document` with every action of `overlay` applied, in order."""
    version = str(overlay.get("overlay", ""))
    if not re.fullmatch(r"1\.0\.\d+", version):
        raise OverlayError(f"overlay version {version!r} is not 1.0.x")
    actions = overlay.get("actions")
    if not isinstance(actions, list) or not actions:
        raise OverlayError("an overlay needs a non-empty `actions` list")
    result = copy.deepcopy(document)
    for number, action in enumerate(actions, start=1):
        name = _describe(number, action)
        target = action.get("target")
        if not isinstance(target, str):
            raise OverlayError(f"{name}: no target")
        matches = select(result, target)
        if not matches:
            raise OverlayError(
                f"{name}: target {target} matches nothing: the document changed under the"
                " overlay; update or drop the action"
            )
        if action.get("remove") is True:
            # Delete from the back so that list indexes stay valid while removing.
            for container, key in reversed(matches):
                del container[key]
        elif "update" in action:
            for container, key in matches:
                container[key] = _merge(container[key], action["update"])
        else:
            raise OverlayError(f"{name}: neither `update` nor `remove: true`")
    return result


def load(path: Path) -> dict[str, Any]:
    """Read an overlay document."""
    with path.open(encoding="utf-8") as handle:
        overlay = yaml.safe_load(handle)
    if not isinstance(overlay, dict):
        raise OverlayError(f"{path}: not an overlay document")
    return overlay
