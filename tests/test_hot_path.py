"""The shortcuts of the per-call path give what the general code they replace gives."""

from __future__ import annotations

import attrs
import pytest

from kling_edit._deadline import _deadline, deadline
from kling_edit._operations import get_task
from kling_edit._steps import CallOptions
from kling_edit_api.api.default import get_task as generated_get_task


@pytest.mark.parametrize(
    "task_id", ["860893347496980557", "a b", "x/../y", "%2F", "é?#&=", "0klingedit0task0id0"]
)
def test_get_task_path_is_the_generated_one(task_id: str) -> None:
    built = generated_get_task._get_kwargs(task_id=task_id)
    operation = get_task(task_id)
    assert (operation.method, operation.path) == (built["method"].upper(), built["url"])


def test_ending_at_is_evolve() -> None:
    options = CallOptions(
        timeout=3.0, max_retries=1, headers={"X-A": "b"}, extra_body={"k": 1}, deadline=None
    )
    assert options.ending_at(12.5) == attrs.evolve(options, deadline=12.5)


def test_deadline_is_set_inside_and_restored_after() -> None:
    with deadline(None):
        assert _deadline.get() is None
    with deadline(30.0):
        inner = _deadline.get()
        assert inner is not None
        with deadline(1.0):
            assert _deadline.get() != inner
        assert _deadline.get() == inner
    assert _deadline.get() is None
