"""`kling-edit --json run` output: the selected objects' masks as PNG files beside the result.

A mask embedded as base64 makes the JSON long and useless to read, so each object's mask is
written as `<result name>.object-<n>.png` next to the result video and the record gives its
path instead. Nothing else lives here.
"""

from __future__ import annotations

from typing import Any

from ._output import to_jsonable
from ._workflow import Outcome


def run_record(outcome: Outcome) -> dict[str, Any]:
    """`outcome` as JSON-ready data, each selected object's `png_base64` replaced by a
    `mask_path` (None when the mask cannot be decoded)."""
    record: dict[str, Any] = to_jsonable(outcome)
    beside = outcome.results[0].path
    objects = record["selection"]["objects"]
    for number, (obj, data) in enumerate(zip(outcome.selection.objects, objects, strict=True), 1):
        path = beside.with_name(f"{beside.stem}.object-{number}.png")
        try:
            data["mask_path"] = str(obj.save_png(path))
        except ValueError:  # a mask this client cannot decode still names its object
            data["mask_path"] = None
        del data["png_base64"]
    return record
