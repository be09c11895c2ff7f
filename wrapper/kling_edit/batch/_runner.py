"""The batch runner: takes jobs from a journal and drives each one init -> points -> create ->
wait -> download on an `AsyncKlingEdit`, recording every step before it takes the next.

What a crash can cost, step by step: a lost init answer means one more init on resume (init has
no idempotency key); a create is never sent twice, because `submitting` is recorded before it
and a resume looks the task up by its derived external task id before creating anything. Right
before a create, the worker checks that its lease has not lapsed and extends it, in the same
transaction that records `submitting`: a lapsed lease may be another worker's claim already.
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
from typing import TYPE_CHECKING, Any

import attrs

from .. import _rules
from .._errors import (
    AccountError,
    AuthenticationError,
    BadRequestError,
    ContentPolicyError,
    DownloadError,
    KlingEditError,
    NotFoundError,
    RequestValidationError,
    TaskFailedError,
)
from .._flows import PollSchedule
from .._media import prepare_image
from .._models import Task
from .._tasks import DEFAULT_WAIT_TIMEOUT
from ._cost import add_cost, set_cost, units_of
from ._status import Summary, summarize
from ._store import (
    DONE,
    FAILED,
    PENDING,
    SELECTED,
    SELECTING,
    SESSION,
    SUBMITTED,
    SUBMITTING,
    JobRecord,
    Journal,
    LeaseLostError,
)
from ._thread import JournalThread
from ._updates import TaskUpdates

if TYPE_CHECKING:
    from .._client import AsyncKlingEdit

SESSION_LIFETIME = 24 * 3600.0
# Re-init a session this close to its end rather than have it expire between two steps.
SESSION_MARGIN = 600.0
RESULT_LIFETIME = 30 * 24 * 3600.0
DEFAULT_LEASE_SECONDS = 30.0
# Turns a job gets in one run when transient errors (past the client's own retries) end them.
TRANSIENT_TRIES = 3
# With callbacks, the service tells the receiver when a task ends and the receiver tells the
# runner (`deliver`); a job polls only this often, as a backstop for a callback lost.
CALLBACK_POLL = PollSchedule(first=60.0, factor=1.0, maximum=60.0)
# Errors after which the job can never succeed as written: it is marked failed.
_HOPELESS = (RequestValidationError, BadRequestError, ContentPolicyError, TaskFailedError)
# Errors every job would meet alike: the run stops instead of failing each job in turn.
_FATAL = (AuthenticationError, AccountError)


class _BudgetReached(Exception):
    """Starting this job could spend more than the budget allows."""


class _Restart(Exception):
    """The job's session is gone: start it over from init."""


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
        self._client = client
        self._journal = journal
        self._out = Path(out_dir)
        self._concurrency = concurrency
        self._budget = budget_units
        # Checked now: tasks.create would refuse a bad one only after init was paid for.
        self._callback_url = (
            _rules.check_http_url("callback_url", callback_url)
            if callback_url is not None
            else None
        )
        self._fallback_poll = fallback_poll
        self._updates = TaskUpdates() if callback_url is not None else None
        # Jobs whose task this run created: their callback goes to a receiver already listening.
        self._created: set[str] = set()
        self._lease = lease_seconds
        self._wait_timeout = wait_timeout
        self._on_progress = on_progress
        self._progress_interval = progress_interval
        self._clock = clock
        self.owner = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._held: set[str] = set()
        # Jobs this run gave up on for now (transient errors, a lease lost): left for a rerun.
        self._skipped: set[str] = set()
        self._budget_reached = False
        self._transient_failures: collections.Counter[str] = collections.Counter()
        self._restarted: set[str] = set()

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
        self._db = self._thread.run
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
                ended = await self._process(record)
            except LeaseLostError:
                self._skipped.add(record.key)
                continue
            except _BudgetReached:
                self._budget_reached = True
            else:
                if ended:  # no claim takes a finished job: its lease need not be given up
                    continue
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

    # -----------------------------------------------------------------------------------------
    # One job

    async def _process(self, record: JobRecord) -> bool:
        """Take the job as far as it goes in this turn; answer whether it ended (done or
        failed)."""
        try:
            while record.state not in (DONE, FAILED):
                try:
                    record = await self._step(record)
                except _Restart:
                    if record.key in self._restarted:  # each pays an init: once per run
                        raise KlingEditError(
                            "its session was lost again after a new init; left for a rerun"
                        ) from None
                    self._restarted.add(record.key)
                    record = await self._record(
                        record, state=PENDING, session_id=None, session_at=None
                    )
        except (LeaseLostError, *_FATAL):
            raise
        except _HOPELESS as error:
            await self._record(record, state=FAILED, error=str(error))
        except DownloadError as error:
            expired = error.status_code in (404, 410)
            await self._record(record, state=FAILED if expired else record.state, error=str(error))
            if not expired:
                self._failed_for_now(record.key)
                return False
        except KlingEditError as error:  # transient (network, 5xx, rate limit, wait timeout)
            await self._record(record, error=str(error))
            self._failed_for_now(record.key)
            return False
        return True

    def _failed_for_now(self, key: str) -> None:
        """A transient error ended the job's turn: it is claimed again (from what the journal
        holds) until it has failed so `TRANSIENT_TRIES` times in this run, then left for a
        rerun."""
        self._transient_failures[key] += 1
        if self._transient_failures[key] >= TRANSIENT_TRIES:
            self._skipped.add(key)

    async def _record(self, record: JobRecord, **changes: Any) -> JobRecord:
        """Write `changes` to the journal (committed), then answer the record as it now is."""
        await self._db(self._journal.update, record.key, self.owner, **changes)
        return attrs.evolve(record, **changes)

    async def _hold(self, record: JobRecord, **changes: Any) -> JobRecord:
        """`_record`, only while this worker's lease has not lapsed; the lease is extended."""
        await self._db(
            self._journal.hold, record.key, self.owner, self._clock(), self._lease, **changes
        )
        return attrs.evolve(record, **changes)

    def _session_fresh(self, record: JobRecord) -> bool:
        at = record.session_at
        return at is not None and self._clock() < at + SESSION_LIFETIME - SESSION_MARGIN

    async def _step(self, record: JobRecord) -> JobRecord:
        state = record.state
        if state in (SESSION, SELECTING, SELECTED) and not self._session_fresh(record):
            raise _Restart
        if state == PENDING:
            return await self._init(record)
        if state in (SESSION, SELECTING):
            return await self._select(record)
        if state == SELECTED:
            record = await self._hold(record, state=SUBMITTING)
            return await self._create(record)
        if state == SUBMITTING:
            return await self._resume_create(record)
        if state == SUBMITTED:
            return await self._finish(record)
        raise AssertionError(f"unknown job state {state!r}")

    async def _init(self, record: JobRecord) -> JobRecord:
        # Only a job that never spent anything is "new"; one restarting after its session
        # ended is finished even past the budget.
        if not record.costs and not await self._may_start():
            raise _BudgetReached
        job = record.job
        # The images were checked when the file was loaded, maybe days ago: a local one moved or
        # changed since must fail the job here, before the billed init, not at create.
        for index, image in enumerate(job.images):
            prepare_image(f"images[{index}]", _image(image))
        session = await self._client.sessions.init(video_url=job.video_url, video_id=job.video_id)
        return await self._record(
            record,
            state=SESSION,
            session_id=session.session_id,
            session_at=self._clock(),
            costs=add_cost(record, "init", session),
            error=None,
        )

    async def _select(self, record: JobRecord) -> JobRecord:
        sessions, session_id = self._client.sessions, record.session_id
        assert session_id is not None
        try:
            if record.state == SELECTING:  # points may be half added: start the selection over
                await sessions.clear(session_id)
            else:
                record = await self._record(record, state=SELECTING)
            for mark in record.job.marks:
                selection = await sessions.add_points(
                    session_id, frame_index=mark.frame_index, points=mark.points
                )
                if not selection.objects:  # a paid edit of nothing: fail the job instead
                    raise RequestValidationError(
                        "selections",
                        f"the points on frame {mark.frame_index} selected no object; no task"
                        " was created",
                    )
                if units_of(selection):  # a journal write waits for the disk: only when it adds
                    record = await self._record(record, costs=add_cost(record, "select", selection))
        except NotFoundError:
            raise _Restart from None
        return await self._record(record, state=SELECTED)

    async def _create(self, record: JobRecord) -> JobRecord:
        job = record.job
        assert record.session_id is not None
        try:
            task = await self._client.tasks.create(
                session_id=record.session_id,
                edit_mode=job.edit_mode,
                prompt=job.prompt,
                images=[_image(image) for image in job.images],
                negative_prompt=job.negative_prompt,
                mode=job.mode,
                duration=job.duration,
                callback_url=self._callback_url,
                external_task_id=record.external_task_id,
            )
        except NotFoundError:
            if task_found := await self._lookup(record):  # created, then the session ended
                return await self._submitted(record, task_found)
            raise _Restart from None
        self._created.add(record.key)
        return await self._submitted(record, task)

    async def _resume_create(self, record: JobRecord) -> JobRecord:
        # The create may have reached the service before the crash: never send it blind.
        found = await self._lookup(record)
        if found is not None:
            return await self._submitted(record, found)
        if not self._session_fresh(record):
            raise _Restart
        # The lookup took a while: the lease may have lapsed and the job been claimed since.
        return await self._create(await self._hold(record))

    async def _lookup(self, record: JobRecord) -> Task | None:
        try:
            return await self._client.tasks.get_by_external_id(record.external_task_id)
        except NotFoundError:
            return None

    async def _submitted(self, record: JobRecord, task: Task) -> JobRecord:
        created = task.created_at.timestamp() if task.created_at else self._clock()
        return await self._record(
            record,
            state=SUBMITTED,
            task_id=task.task_id,
            status=task.status,
            expires_at=created + RESULT_LIFETIME,
            costs=set_cost(record, "task", task),
            error=None,
        )

    async def _finish(self, record: JobRecord) -> JobRecord:
        assert record.task_id is not None
        tasks = self._client.tasks
        try:
            task = await self._ended(record)
        except TaskFailedError as error:
            await self._record(
                record, status=error.task.status, costs=set_cost(record, "task", error.task)
            )
            raise
        record = await self._record(
            record, status=task.status, costs=set_cost(record, "task", task)
        )
        path = await tasks.download(task, self._out / f"{record.key}.mp4")
        return await self._record(record, state=DONE, result_path=str(path), error=None)

    async def _ended(self, record: JobRecord) -> Task:
        """The job's task once it succeeded (TaskFailedError if it failed): polled, or with
        callbacks delivered, the fallback poll racing the delivery."""
        task_id, tasks, timeout = record.task_id, self._client.tasks, self._wait_timeout
        assert task_id is not None
        if self._updates is None:
            return await tasks.wait(task_id, timeout=timeout)
        # A resumed job's callback may have come while nothing listened: poll it at once. At
        # most half the time, so the fallback still polls before the wait times out.
        delay = min(self._fallback_poll.first, timeout / 2) if record.key in self._created else 0

        async def fallback() -> Task:
            await asyncio.sleep(delay)
            return await tasks.wait(task_id, timeout=timeout - delay, poll=self._fallback_poll)

        return await self._updates.ended_or(task_id, record.external_task_id, fallback())

    async def _may_start(self) -> bool:
        if self._budget is None:
            return True
        records = await self._db(self._journal.records)
        spent = sum((r.units for r in records), Decimal(0))
        estimate = max((r.units for r in records if r.state == DONE), default=Decimal(0))
        started = (r for r in records if r.state not in (PENDING, DONE, FAILED))
        in_flight = sum((max(estimate - r.units, Decimal(0)) for r in started), Decimal(0))
        return spent + in_flight + estimate <= self._budget


def _image(image: str) -> str | Path:
    # A path passed as a Path is never mistaken for base64 text by the client.
    return image if image.lower().startswith(("http://", "https://")) else Path(image)
