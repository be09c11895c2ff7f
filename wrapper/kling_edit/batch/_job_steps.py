"""One batch job's steps: the state machine that drives a claimed job init -> points -> create
-> wait -> download on an `AsyncKlingEdit`, recording every step before it takes the next.

What a crash can cost, step by step: a lost init answer means one more init on resume (init has
no idempotency key); a create is never sent twice, because `submitting` is recorded before it
and a resume looks the task up by its derived external task id before creating anything. Right
before a create, the worker checks that its lease has not lapsed and extends it, in the same
transaction that records `submitting`: a lapsed lease may be another worker's claim already.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

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
from ._cost import add_cost, set_cost, units_of
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
from ._thread import JournalCall
from ._updates import TaskUpdates

if TYPE_CHECKING:
    from .._client import AsyncKlingEdit

SESSION_LIFETIME = 24 * 3600.0
# Re-init a session this close to its end rather than have it expire between two steps.
SESSION_MARGIN = 600.0
RESULT_LIFETIME = 30 * 24 * 3600.0
# Errors after which the job can never succeed as written: it is marked failed.
_HOPELESS = (RequestValidationError, BadRequestError, ContentPolicyError, TaskFailedError)
# Errors every job would meet alike: the run stops instead of failing each job in turn.
_FATAL = (AuthenticationError, AccountError)


class BudgetReached(Exception):
    """Starting this job could spend more than the budget allows."""


class _Restart(Exception):
    """The job's session is gone: start it over from init."""


class JobSteps:
    """Takes one claimed job at a time as far as it goes in a turn, for the runner that owns the
    lease (`owner`) and decides when a job may start spending (`may_start`)."""

    def __init__(
        self,
        client: AsyncKlingEdit,
        journal: Journal,
        db: JournalCall,
        *,
        owner: str,
        out_dir: Path,
        lease_seconds: float,
        callback_url: str | None,
        updates: TaskUpdates | None,
        fallback_poll: PollSchedule,
        wait_timeout: float,
        may_start: Callable[[], Awaitable[bool]],
        clock: Callable[[], float],
    ) -> None:
        self._client = client
        self._journal = journal
        self._db = db
        self._owner = owner
        self._out = out_dir
        self._lease = lease_seconds
        self._callback_url = callback_url
        self._updates = updates
        self._fallback_poll = fallback_poll
        self._wait_timeout = wait_timeout
        self._may_start = may_start
        self._clock = clock
        # Jobs whose task this run created: their callback goes to a receiver already listening.
        self._created: set[str] = set()
        self._restarted: set[str] = set()

    async def turn(self, record: JobRecord) -> bool:
        """Take the job as far as it goes in this turn; answer whether it ended (done or
        failed), False when a transient error ended the turn (recorded in the journal).

        LeaseLostError, the errors every job would meet (authentication, account) and
        `BudgetReached` escape: they are the runner's to handle."""
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
                return False
        except KlingEditError as error:  # transient (network, 5xx, rate limit, wait timeout)
            await self._record(record, error=str(error))
            return False
        return True

    async def _record(self, record: JobRecord, **changes: Any) -> JobRecord:
        """Write `changes` to the journal (committed), then answer the record as it now is."""
        await self._db(self._journal.update, record.key, self._owner, **changes)
        return attrs.evolve(record, **changes)

    async def _hold(self, record: JobRecord, **changes: Any) -> JobRecord:
        """`_record`, only while this worker's lease has not lapsed; the lease is extended."""
        await self._db(
            self._journal.hold, record.key, self._owner, self._clock(), self._lease, **changes
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
            raise BudgetReached
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


def _image(image: str) -> str | Path:
    # A path passed as a Path is never mistaken for base64 text by the client.
    return image if image.lower().startswith(("http://", "https://")) else Path(image)
