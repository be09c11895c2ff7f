"""Kling's two callback body formats, brought to one: the new format read as the legacy task."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._fields import FieldError

__all__ = ["normalize_callback"]

# The new format says "succeeded" where the task object (and `TaskStatus`) says "succeed".
_LEGACY_STATUS = {"succeeded": "succeed"}


def normalize_callback(body: Mapping[str, Any]) -> Mapping[str, Any]:
    """The legacy task-object shape of a callback body, whichever format Kling sent.

    A new-format body (`id`, `status`, `outputs`, `billing`, ...) becomes `task_id`,
    `task_status`, `task_status_msg`, `task_info.external_task_id`, `task_result.videos`,
    `created_at`, `updated_at` and, when `billing` says so, `final_unit_deduction` /
    `final_balance_deduction`. Anything else (a legacy body, an envelope, something that is
    not a task at all) is returned as it came, for the task parser to accept or refuse. A
    new-format body whose `outputs` or `billing` is not a list of objects raises `FieldError`.
    """
    if "task_id" in body or "id" not in body:
        return body
    for name in ("outputs", "billing"):
        items = body.get(name) or []
        if not isinstance(items, list):
            raise FieldError("callback", name, "a list", items)
        for index, item in enumerate(items):
            if not isinstance(item, Mapping):
                raise FieldError("callback", f"{name}[{index}]", "an object", item)
    status = body.get("status")
    legacy: dict[str, Any] = {
        "task_id": body["id"],
        "task_status": _LEGACY_STATUS.get(status, status) if isinstance(status, str) else status,
        "task_status_msg": body.get("message"),
        "created_at": body.get("create_time"),
        "updated_at": body.get("update_time"),
        "task_info": {"external_task_id": body.get("external_id")},
        "task_result": {"videos": _videos(body.get("outputs"))},
    }
    legacy.update(_costs(body.get("billing")))
    return {name: value for name, value in legacy.items() if value is not None}


def _videos(outputs: object) -> list[dict[str, Any]]:
    if not isinstance(outputs, list):
        return []
    return [
        {
            name: output[name]
            for name in ("id", "url", "watermark_url", "duration")
            if output.get(name) is not None
        }
        for output in outputs
        if isinstance(output, Mapping) and output.get("type") == "video"
    ]


def _costs(billing: object) -> dict[str, Any]:
    """The legacy cost fields: resource-pack units (`charge_type` "unit") and balance ("cash")."""
    costs: dict[str, Any] = {}
    for charge in billing if isinstance(billing, list) else []:
        if not isinstance(charge, Mapping) or charge.get("amount") is None:
            continue
        if charge.get("charge_type") == "unit":
            costs["final_unit_deduction"] = charge["amount"]
        elif charge.get("charge_type") == "cash":
            balance = {"quota": charge["amount"], "list_price": charge.get("list_price")}
            costs["final_balance_deduction"] = {k: v for k, v in balance.items() if v is not None}
    return costs
