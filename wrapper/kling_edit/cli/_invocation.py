"""One invocation's voice: its output (text or JSON, key redacted), notices, and how it fails.

Every failure becomes one line on stderr (and a JSON record with --json) and its exit code;
nothing else lives here.
"""

from __future__ import annotations

import contextlib
import json
import shlex
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import click

from .._errors import KlingEditError
from .._rules import PromptWarning
from ._options import option_value
from ._output import ExitCode, error_line, error_record, exit_code_for, to_jsonable
from ._redaction import redact as redact  # re-exported: commands import it from here

PROG = "kling-edit"
_RESUME = "kling_edit.resume"
# Where this invocation's client points ("service", "loopback" or "embedded").
TARGET = "kling_edit.target"


class CLIError(Exception):
    """A failure of the command line itself (not of the API), with its exit code."""

    def __init__(self, message: str, exit_code: ExitCode) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def as_json(ctx: click.Context) -> bool:
    return bool(option_value(ctx, "as_json"))


def out(ctx: click.Context, human: str, data: object) -> None:
    """The command's result on stdout: `human` text, or `data` as one JSON object."""
    text = json.dumps(to_jsonable(data), ensure_ascii=False) if as_json(ctx) else human
    click.echo(redact(text))


def say(message: str) -> None:
    """A notice for people on stderr."""
    click.echo(redact(f"{PROG}: {message}"), err=True)


def command_line(ctx: click.Context, *words: str) -> str:
    """A command line to suggest, aimed at the same provider and host as this one."""
    extra: list[str] = []
    for name in ("provider", "base_url"):
        value = option_value(ctx, name)
        if value:
            extra += ["--" + name.replace("_", "-"), value]
    return shlex.join((PROG, *words, *extra))


def remember_task(ctx: click.Context, task_id: str, dest: str | Path | None) -> None:
    ctx.meta.setdefault(_RESUME, []).append((task_id, dest))


def stop(
    ctx: click.Context,
    error: BaseException,
    code: ExitCode,
    line: str,
    **details: object,
) -> NoReturn:
    """Report a failure (one line on stderr; with --json also `{"error": ...}` on stdout) and
    exit with `code`. `details` join the JSON record."""
    if as_json(ctx):
        record = error_record(error, code)
        record["error"].update(details)
        click.echo(redact(json.dumps(to_jsonable(record), ensure_ascii=False)))
    say(line)
    raise click.exceptions.Exit(int(code))


def interrupted(ctx: click.Context) -> NoReturn:
    tasks: list[tuple[str, str | Path | None]] = ctx.meta.get(_RESUME, [])
    commands: list[str] = []
    if not tasks:
        line = "interrupted"
    elif ctx.meta.get(TARGET) == "embedded":
        line = "interrupted; the embedded simulator stopped with this process, nothing to resume"
    else:
        for task_id, dest in tasks:
            out = ("--out", str(dest)) if dest is not None else ()
            commands += [
                command_line(ctx, "wait", task_id),
                command_line(ctx, "download", task_id, *out),
            ]
        ids = ", ".join(task_id for task_id, _ in tasks)
        line = f"interrupted; task {ids} keeps running. Resume with:\n  " + "\n  ".join(commands)
    task_ids = [task_id for task_id, _ in tasks]
    error = KeyboardInterrupt("interrupted")
    stop(ctx, error, ExitCode.INTERRUPTED, line, task_ids=task_ids, resume=commands)


@contextlib.contextmanager
def warnings_as_notices() -> Iterator[None]:
    def show(message: Warning | str, *args: object, **kwargs: object) -> None:
        say(f"warning: {message}")

    with warnings.catch_warnings():
        # Every prompt deserves its warning, not just the first of the process.
        warnings.simplefilter("always", PromptWarning)
        warnings.showwarning = show
        yield


class Group(click.Group):
    """Turns every failure into one line on stderr (and JSON with --json) and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        with warnings_as_notices():
            try:
                return super().invoke(ctx)
            except KeyboardInterrupt:
                interrupted(ctx)
            except CLIError as error:
                stop(ctx, error, error.exit_code, f"error: {error}")
            except KlingEditError as error:
                stop(ctx, error, exit_code_for(error), f"error: {error_line(error)}")
            except OSError as error:  # a local file that cannot be written, say
                stop(ctx, error, ExitCode.ERROR, f"error: {error}")
