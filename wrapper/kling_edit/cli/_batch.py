"""`kling-edit batch`: run a JSONL file of edits through a journal (`run`), and report on it
(`status`)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import attrs
import click
from rich.console import Console
from rich.live import Live
from rich.text import Text

from .._client import AsyncKlingEdit
from ..batch import BatchRunner, Journal, JournalError, Summary, load_jobs, open_journal, summarize
from ..batch._dsn import without_password
from ..batch._runner import DEFAULT_LEASE_SECONDS
from ._batch_receiver import listen_address, receiving
from ._clients import connect
from ._invocation import CLIError, out, say
from ._options import json_option, option_value, shared_options
from ._output import ExitCode
from ._progress import stderr_is_terminal

_journal_option = click.option(
    "--journal",
    "target",
    required=True,
    metavar="PATH_OR_URL",
    help="A SQLite file (created if missing) or a postgresql:// URL shared by several workers.",
)


@click.group(short_help="Run many edits from a JSONL file, resumably.")
@shared_options
def batch() -> None:
    """Run a JSONL file of edits through a journal that survives crashes.

    \b
    One job per line:
      {"key": "job-1", "video_url": "https://example.com/clip.mp4",
       "selections": [{"frame_index": 0, "points": [[0.5, 0.4]]}],
       "edit_mode": "swap", "prompt": "Replace ... <<<video_1>>> with <<<image_1>>>",
       "images": ["hat.png"], "duration": 5, "mode": "std"}
    """


def _decimal(ctx: click.Context, param: click.Parameter, value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise click.BadParameter(f"{value!r} is not a number of units") from None
    if not number.is_finite() or number < 0:
        raise click.BadParameter(f"{value!r} is not a number of units at least 0")
    return number


@contextlib.contextmanager
def _opened(target: str) -> Iterator[Journal]:
    try:
        journal = open_journal(target)
    except JournalError as error:
        shown = without_password(target)
        raise CLIError(
            f"cannot open the journal {shown!r}: {str(error).replace(target, shown)}",
            ExitCode.ERROR,
        ) from None
    try:
        yield journal
    finally:
        journal.close()


class _LiveCounts:
    """Counts per state, units spent and an ETA, redrawn on stderr while the batch runs."""

    def __init__(self, live: Live | None) -> None:
        self._live = live
        self._started = time.monotonic()
        self._finished_before: int | None = None

    def __call__(self, summary: Summary) -> None:
        if self._live is not None:
            self._live.update(Text(self.line(summary)))

    def line(self, summary: Summary) -> str:
        finished = summary.counts["done"] + summary.counts["failed"]
        if self._finished_before is None:
            self._finished_before = finished
        counts = ", ".join(f"{state} {n}" for state, n in summary.counts.items() if n)
        return f"{counts or 'no jobs'} | {summary.units_spent} units | ETA {self._eta(summary)}"

    def _eta(self, summary: Summary) -> str:
        finished = summary.counts["done"] + summary.counts["failed"]
        remaining = summary.total - finished
        done_now = finished - (self._finished_before or 0)
        if remaining == 0:
            return "-"
        if done_now <= 0:
            return "?"
        seconds = (time.monotonic() - self._started) / done_now * remaining
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def _describe(summary: Summary) -> str:
    counts = ", ".join(f"{state} {n}" for state, n in summary.counts.items() if n) or "no jobs"
    lines = [
        f"batch {summary.batch_id}: {summary.total} job(s): {counts}",
        f"units spent: {summary.units_spent}",
    ]
    if summary.failures:
        lines.append("failures:")
        lines += [f"  {f.key} ({f.state}): {f.error}" for f in summary.failures]
    if summary.near_expiry:
        lines.append("results near expiry, not downloaded (run `batch run` again to fetch them):")
        for item in summary.near_expiry:
            when = datetime.fromtimestamp(item.expires_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
            lines.append(f"  {item.key}: task {item.task_id} expires {when}")
    return "\n".join(lines)


@batch.command(short_help="Run (or resume) a JSONL file of edits.")
@click.argument("jobs_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_journal_option
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the results, one DIR/<key>.mp4 per job.",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 1000),
    default=4,
    show_default=True,
    help="Jobs in flight at once.",
)
@click.option(
    "--budget-units",
    callback=_decimal,
    metavar="N",
    help="Start no new job once the units spent plus those in flight would pass N.",
)
@click.option(
    "--lease-seconds",
    type=click.FloatRange(1, 3600),
    default=DEFAULT_LEASE_SECONDS,
    show_default=True,
    help="How long a worker's claim on a job outlives the worker (renewed while it lives).",
)
@click.option(
    "--max-concurrent-tasks",
    type=click.IntRange(1, 10000),
    metavar="N",
    help="Keep at most N tasks running (the account's limit): creates wait for a free slot,"
    " and a refusal for the limit (1303) waits instead of failing.",
)
@click.option(
    "--callback-url",
    metavar="URL",
    help="Sent with each create: the service posts each task's end there. Jobs wait for the"
    " callback (with --listen), polling only every minute as a backstop.",
)
@click.option(
    "--listen",
    callback=listen_address,
    metavar="HOST:PORT",
    help="Receive the callbacks here, in this process (--callback-url is the address the"
    " service posts to: this one, or a proxy's in front of it).",
)
@click.option(
    "--webhook-secret",
    "webhook_secrets",
    multiple=True,
    metavar="SECRET",
    envvar="KLING_WEBHOOK_SECRET",
    show_envvar=True,
    help="With --listen: the account's webhook secret (whsec_...) to verify callbacks with, best"
    " given in the variable; repeat it during a rotation. Without one, callbacks are not"
    " verified.",
)
@click.option("--strict", is_flag=True, help="Send nothing if any line is bad.")
@shared_options
@click.pass_context
def run(
    ctx: click.Context,
    jobs_file: Path,
    target: str,
    out_dir: Path,
    concurrency: int,
    budget_units: Decimal | None,
    lease_seconds: float,
    max_concurrent_tasks: int | None,
    callback_url: str | None,
    listen: tuple[str, int] | None,
    webhook_secrets: tuple[str, ...],
    strict: bool,
) -> None:
    """Run every job of JOBS_FILE not finished yet; running it again resumes.

    Each step of each job is committed to the journal before the next, so after a crash (even
    `kill -9`) the same command picks up where it stopped and never creates a task twice.
    Several workers may run it at once on one PostgreSQL journal: they share the jobs. Bad
    lines are reported (line number, key, rule) and skipped, or with --strict stop everything.
    With --callback-url and --listen, each job learns its task ended from the callback.

    Exit status: 0 when every job is done, 4 when some failed, 1 when some are left (the
    budget was reached, or an error that may pass: run again).
    """
    if listen is not None and callback_url is None:
        raise click.UsageError("--listen needs --callback-url: the address the service posts to")
    jobs, bad_lines = load_jobs(jobs_file)
    for bad in bad_lines:
        say(f"bad job: {bad}")
    if bad_lines and strict:
        raise CLIError(f"{len(bad_lines)} bad line(s) and --strict: nothing sent", ExitCode.USAGE)
    with _opened(target) as journal:
        known = len(jobs) - journal.load(jobs)
        if known:
            # By key: a line changed since it was first loaded keeps its journaled form.
            say(f"{known} job(s) already in the journal (same keys): resuming them")
        client = connect(ctx, AsyncKlingEdit, max_concurrent_tasks=max_concurrent_tasks)
        live_display = stderr_is_terminal() and not option_value(ctx, "as_json")
        live = Live(console=Console(stderr=True)) if live_display else None
        runner = BatchRunner(
            client,
            journal,
            out_dir,
            concurrency=concurrency,
            budget_units=budget_units,
            callback_url=callback_url,
            lease_seconds=lease_seconds,
            on_progress=_LiveCounts(live),
        )
        receiver = (
            receiving(listen, webhook_secrets, runner.deliver)
            if listen is not None
            else contextlib.nullcontext()
        )
        try:
            with receiver, live or contextlib.nullcontext():
                summary = asyncio.run(_run(client, runner))
        except KeyboardInterrupt:
            raise CLIError(
                "interrupted; every finished step is in the journal: run the same command"
                " again to resume",
                ExitCode.INTERRUPTED,
            ) from None
    _report(ctx, attrs.evolve(summary, bad_lines=tuple(bad_lines)))
    if summary.counts["failed"]:
        raise click.exceptions.Exit(int(ExitCode.TASK_FAILED))
    if not summary.finished:
        raise click.exceptions.Exit(int(ExitCode.ERROR))


async def _run(client: AsyncKlingEdit, runner: BatchRunner) -> Summary:
    async with client:
        return await runner.run()


def _report(ctx: click.Context, summary: Summary) -> None:
    out(ctx, _describe(summary), summary.to_dict())


@batch.command(short_help="Counts per state, cost, failures and results near expiry.")
@_journal_option
@json_option
@click.pass_context
def status(ctx: click.Context, target: str) -> None:
    """Sum up a batch's journal: jobs per state, units spent, failures with their reasons, and
    finished results not downloaded yet that will soon be deleted (30 days after creation)."""
    with _opened(target) as journal:
        _report(ctx, summarize(journal, time.time()))
