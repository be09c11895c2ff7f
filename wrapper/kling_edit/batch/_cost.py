"""What each answer cost, in units, and a job's costs per step as the journal keeps them."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from ._store import JobRecord


def units_of(answer: object) -> Decimal:
    """Units an answer (Session, Selection, Preview, Task) says it cost; 0 when it says nothing.

    The one place that reads cost: switch it to `answer.cost.units` alone once every model
    carries `cost`.
    """
    cost = getattr(answer, "cost", None)
    if cost is not None:
        units = cost.units
    else:
        raw = getattr(answer, "raw", None)
        units = raw.get("final_unit_deduction") if isinstance(raw, Mapping) else None
    try:
        return Decimal(str(units)) if units not in (None, "") else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def add_cost(record: JobRecord, step: str, answer: object) -> dict[str, str]:
    """The job's costs with this answer's units added to `step` (steps can repeat: re-inits)."""
    total = Decimal(record.costs.get(step, "0")) + units_of(answer)
    return {**record.costs, step: str(total)}


def set_cost(record: JobRecord, step: str, answer: object) -> dict[str, str]:
    """The job's costs with `step` set to this answer's units (a task reports its total)."""
    return {**record.costs, step: str(units_of(answer))}
