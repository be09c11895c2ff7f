"""The batch runner's worker loop: claiming jobs from a journal, holding and renewing their
leases, budget and transient-failure bookkeeping, progress reports, and the run that ties them
together. Each claimed job's own steps (init -> points -> create -> wait -> download) are
`JobSteps`'s, in `_job_steps`.
"""

from __future__ import annotations

import asyncio
import collections
import os
import socket
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from .. import _rules
from .._flows import PollSchedule
from .._models import Task
from .._tasks import DEFAULT_WAIT_TIMEOUT
from ._job_steps import BudgetReached, JobSteps
from ._status import Summary, summarize
from ._store import DONE, FAILED, PENDING, Journal, LeaseLostError
from ._thread import JournalThread
from ._updates import TaskUpdates

if TYPE_CHECKING:
    from .._client import AsyncKlingEdit

P = ParamSpec("P")
R = TypeVar("R")

DEFAULT_LEASE_SECONDS = 30.0
# Turns a job gets in one run when transient errors (past the client's own retries) end them.
TRANSIENT_TRIES = 3
# With callbacks, the service tells the receiver when a task ends and the receiver tells the
# runner (`deliver`); a job polls only this often, as a backstop for a callback lost.
CALLBACK_POLL = PollSchedule(first=60.0, factor=1.0, maximum=60.0)


class BatchRunner:
    """Runs the unfinished jobs of a journal, `concurrency` at a time; resumable at any point.

    Several runners (processes, machines) may share one journal: each job is leased to one of
    them, renewed every `lease_seconds / 3` while it works, and taken over by another runner
    once a lease lapses. `budget_units` stops starting new jobs once the units spent plus
    those the jobs in flight are expected to spend (each as much as the costliest finished job)
    would pass it; jobs already started are finished.

    With `callback_url`, the service posts each task's end there, and whatever receives it
    (e.g. `kling_edit.webhooks.asgi_app(runner.deliver, secret=...)`) hands it to `deliver`: a
    job waits for that, or for `fallback_poll` (polls once a minute from a minute after the
    create: `CALLBACK_POLL`), whichever tells first. A job whose task an earlier run created is
    polled at once: its callback may have come while nothing listened.
    """

    def __init__(
        self,
        client: AsyncKlingEdit,
        journal: Journal,
        out_dir: str | os.PathLike[str],
        *,
        concurrency: int = 4,
        budget_units: Decimal | None = None,
        callback_url: str | None = None,
        fallback_poll: PollSchedule = CALLBACK_POLL,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        wait_timeout: float = DEFAULT_WAIT_TIMEOUT,
        on_progress: Callable[[Summary], object] | None = None,
        progress_interval: float = 0.5,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._journal = journal
        self._out = Path(out_dir)
        self._concurrency = concurrency
        self._budget = budget_units
        self._updates = TaskUpdates() if callback_url is not None else None
        self._lease = lease_seconds
        self._on_progress = on_progress
        self._progress_interval = progress_interval
        self._clock = clock
        self.owner = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._steps = JobSteps(
            client,
            journal,
            self._db,
            owner=self.owner,
            out_dir=self._out,
            lease_seconds=lease_seconds,
            # Checked now: tasks.create would refuse a bad one only after init was paid for.
            callback_url=(
                _rules.check_http_url("callback_url", callback_url)
                if callback_url is not None
                else None
            ),
            updates=self._updates,
            fallback_poll=fallback_poll,
            wait_timeout=wait_timeout,
            may_start=self._may_start,
            clock=clock,
        )
        self._held: set[str] = set()
        # Jobs this run gave up on for now (transient errors, a lease lost): left for a rerun.
        self._skipped: set[str] = set()
        self._budget_reached = False
        self._transient_failures: collections.Counter[str] = collections.Counter()

    def deliver(self, task: Task) -> None:
        """Hand the runner a task update from a callback receiver (from any thread); a job
        waiting for the task (matched by task id or external task id) goes on to download.

        Pass only verified updates: a succeeded task's result URL is downloaded as given.
        Without `callback_url` no job waits for updates: they are dropped.
        """
        if self._updates is not None:
            self._updates.deliver(task)

    async def run(self) -> Summary:
        """Work until no job is left that this runner may take; answer the journal's summary."""
        self._out.mkdir(parents=True, exist_ok=True)
        self._thread = JournalThread()
        background = [asyncio.create_task(self._renew_leases())]
        if self._on_progress is not None:
            background.append(asyncio.create_task(self._report_progress(self._on_progress)))
        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(self._concurrency):
                    group.create_task(self._worker())
        except BaseExceptionGroup as failed:
            # The first worker to fail stops the others (they are cancelled, not failed): its
            # error is the run's, e.g. an AuthenticationError every job would have met.
            raise failed.exceptions[0] from None
        finally:
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            self._thread.close()
        summary = summarize(self._journal, self._clock())
        if self._on_progress is not None:
            self._on_progress(summary)
        return summary

    async def _worker(self) -> None:
        journal = self._journal
        while True:
            record = await self._db(
                journal.claim,
                self.owner,
                self._clock(),
                self._lease,
                exclude=self._skipped | self._held,
                started=self._budget_reached,
            )
            if record is None:
                wait = await self._until_lease_lapses()
                if wait is None:
                    return
                await asyncio.sleep(wait)
                continue
            self._held.add(record.key)
            try:
                ended = await self._steps.turn(record)
            except LeaseLostError:
                self._skipped.add(record.key)
                continue
            except BudgetReached:
                self._budget_reached = True
            else:
                if ended:  # no claim takes a finished job: its lease need not be given up
                    continue
                self._failed_for_now(record.key)
            finally:
                self._held.discard(record.key)
            await self._db(journal.release, record.key, self.owner)

    async def _until_lease_lapses(self) -> float | None:
        """Seconds to wait before claiming again (None: no job is left this runner may take).

        A job another runner leases may come free when its lease lapses; one whose lease
        lapsed since the claim that found nothing is claimed at once.
        """
        now = self._clock()
        left = [
            r.lease_until or now
            for r in await self._db(self._journal.records)
            if r.state not in (DONE, FAILED)
            and r.key not in self._skipped | self._held
            and not (self._budget_reached and r.state == PENDING)
        ]
        if not left:
            return None
        return min(max(min(left) - now, 0.0) + 0.05, self._lease / 3)

    async def _renew_leases(self) -> None:
        while True:
            await asyncio.sleep(self._lease / 3)
            if self._held:
                await self._db(
                    self._journal.renew, self.owner, list(self._held), self._clock(), self._lease
                )

    async def _report_progress(self, report: Callable[[Summary], object]) -> None:
        while True:
            report(await self._db(summarize, self._journal, self._clock()))
            await asyncio.sleep(self._progress_interval)

    async def _db(self, call: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        """Run a journal call on this run's journal thread."""
        return await self._thread.run(call, *args, **kwargs)

    def _failed_for_now(self, key: str) -> None:
        """A transient error ended the job's turn: it is claimed again (from what the journal
        holds) until it has failed so `TRANSIENT_TRIES` times in this run, then left for a
        rerun."""
        self._transient_failures[key] += 1
        if self._transient_failures[key] >= TRANSIENT_TRIES:
            self._skipped.add(key)

    async def _may_start(self) -> bool:
        if self._budget is None:
            return True
        records = await self._db(self._journal.records)
        spent = sum((r.units for r in records), Decimal(0))
        estimate = max((r.units for r in records if r.state == DONE), default=Decimal(0))
        started = (r for r in records if r.state not in (PENDING, DONE, FAILED))
        in_flight = sum((max(estimate - r.units, Decimal(0)) for r in started), Decimal(0))
        return spent + in_flight + estimate <= self._budget
