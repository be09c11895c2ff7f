"""What each step costs on the simulator, the cost fields its answers carry, and numeric ids.

Kling publishes no per-step unit price for multi-elements editing: every figure below is
simulated (a plausible shape, not a price list). Nothing else lives here.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

# Units one successful call costs, by route key (simulated). A rejected init (non-zero
# `status`) costs nothing; session edits and reads are free.
STEP_UNITS: Mapping[str, Decimal] = {
    "init": Decimal("0.2"),
    "add": Decimal("0"),
    "delete": Decimal("0"),
    "clear": Decimal("0"),
    "preview": Decimal("0"),
}
# Units a created task costs, by (mode, duration) (simulated). The task keeps its charge when
# it fails: no document says Kling refunds.
TASK_UNITS: Mapping[tuple[str, str], Decimal] = {
    ("std", "5"): Decimal("3"),
    ("std", "10"): Decimal("6"),
    ("pro", "5"): Decimal("5"),
    ("pro", "10"): Decimal("10"),
}
# Balance price of one unit (simulated); `quota` (the discounted price) equals the list price.
_UNIT_PRICE = Decimal("0.14")


def task_units(body: Mapping[str, Any]) -> Decimal:
    """What a create with this (already checked) body costs; "" or a missing field: default."""
    return TASK_UNITS[body.get("mode") or "std", body.get("duration") or "5"]


def cost_fields(units: Decimal) -> dict[str, Any]:
    """`final_unit_deduction` and `final_balance_deduction` as Kling sends them (strings)."""
    price = _plain(units * _UNIT_PRICE)
    return {
        "final_unit_deduction": _plain(units),
        "final_balance_deduction": {"quota": price, "list_price": price},
    }


def _plain(amount: Decimal) -> str:
    # "3", "0.2", "0.028": no exponent, no trailing zeros.
    return f"{amount.normalize():f}"


def numeric_id() -> str:
    """An 18-digit decimal id, the shape of Kling's ids ("847570360458960960")."""
    return str(10**17 + uuid.uuid4().int % (9 * 10**17))
