"""What a journal says of its batch: counts per state, units spent, failures, expiring results."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from attrs import frozen

from ._jobs import BadLine
from ._store import DONE, FAILED, STATES, Journal

# `status` warns about results not downloaded this long before they are deleted.
EXPIRY_WARNING_SECONDS = 3 * 24 * 3600.0


@frozen
class Failure:
    """A job that failed, or whose last attempt ended in an error it may recover from."""

    key: str
    state: str
    error: str


@frozen
class Expiring:
    """A finished task whose result is not downloaded yet and will soon be deleted."""

    key: str
    task_id: str
    expires_at: float


@frozen
class Summary:
    """The state of a batch: jobs per state, units spent, problems."""

    batch_id: str
    counts: Mapping[str, int]
    units_spent: Decimal
    failures: tuple[Failure, ...] = ()
    near_expiry: tuple[Expiring, ...] = ()
    bad_lines: tuple[BadLine, ...] = ()

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def finished(self) -> bool:
        """True when every job is done or failed."""
        return self.counts[DONE] + self.counts[FAILED] == self.total

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (units as a string, so no precision is lost)."""
        return {
            "batch_id": self.batch_id,
            "counts": dict(self.counts),
            "units_spent": str(self.units_spent),
            "failures": [{"key": f.key, "state": f.state, "error": f.error} for f in self.failures],
            "near_expiry": [
                {"key": e.key, "task_id": e.task_id, "expires_at": e.expires_at}
                for e in self.near_expiry
            ],
            "bad_lines": [
                {"line": b.line, "key": b.key, "reason": b.reason} for b in self.bad_lines
            ],
        }


def summarize(journal: Journal, now: float, bad_lines: tuple[BadLine, ...] = ()) -> Summary:
    """Read the whole journal once and sum it up as of `now` (epoch seconds)."""
    records = journal.records()
    counts = dict.fromkeys(STATES, 0)
    for record in records:
        counts[record.state] = counts.get(record.state, 0) + 1
    return Summary(
        batch_id=journal.batch_id,
        counts=counts,
        units_spent=sum((r.units for r in records), Decimal(0)),
        failures=tuple(Failure(r.key, r.state, r.error) for r in records if r.error is not None),
        near_expiry=tuple(
            Expiring(r.key, r.task_id, r.expires_at)
            for r in records
            if r.state not in (DONE, FAILED)
            and r.task_id is not None
            and r.expires_at is not None
            and r.expires_at - now < EXPIRY_WARNING_SECONDS
        ),
        bad_lines=bad_lines,
    )
