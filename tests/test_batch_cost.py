"""Reading what an answer cost: the `cost` model when there is one, the raw field otherwise."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from kling_edit import Session, Task
from kling_edit.batch._cost import units_of


@pytest.mark.parametrize(
    ("answer", "units"),
    [
        (SimpleNamespace(cost=SimpleNamespace(units="1.25")), Decimal("1.25")),
        (Session("s-1", raw={"final_unit_deduction": "0.2"}), Decimal("0.2")),
        (Task("t-1", "succeed", raw={"final_unit_deduction": "3"}), Decimal(3)),
        (Task("t-1", "submitted", raw={}), Decimal(0)),
        (Task("t-1", "submitted", raw={"final_unit_deduction": ""}), Decimal(0)),
        (Task("t-1", "submitted", raw={"final_unit_deduction": "n/a"}), Decimal(0)),
        (None, Decimal(0)),
    ],
)
def test_units_of_an_answer(answer: object, units: Decimal) -> None:
    assert units_of(answer) == units
