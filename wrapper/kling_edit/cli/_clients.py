"""The client one invocation uses: the real service, a loopback simulator or the embedded one.

Nothing else lives here.
"""

from __future__ import annotations

import os
from typing import Literal
from urllib.parse import urlsplit

import click

from .._client import API_KEY_ENV, BASE_URL_ENV, KlingEdit
from .._flows import PollSchedule
from ._invocation import TARGET, CLIError, redact, remember_task, say
from ._options import option_value
from ._output import ExitCode
from ._progress import ConsoleReporter
from ._workflow import Workflow

Target = Literal["service", "loopback", "embedded"]

# A local simulator answers at once and costs nothing, so poll it often.
_LOCAL_POLL = PollSchedule(first=0.2, factor=1.5, maximum=1.0)
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# The loopback simulator accepts any bearer key unless started with one.
LOCAL_KEY = "sk-local-simulator"


def _is_loopback(url: str) -> bool:
    return urlsplit(url).hostname in _LOOPBACK_HOSTS


def client_for(ctx: click.Context, *, one_shot: bool = False) -> KlingEdit:
    """The client this invocation uses, closed when the command ends.

    COMETAPI_KEY set: the real service. No key: a loopback simulator named by --base-url, or
    else the embedded one (`one_shot` commands do all their work in this process, so losing the
    simulator's state at exit does not matter to them).
    """
    key = os.environ.get(API_KEY_ENV, "").strip() or None
    base_url = option_value(ctx, "base_url") or os.environ.get(BASE_URL_ENV) or None
    target: Target
    if option_value(ctx, "simulator") or (key is None and base_url is None):
        reason = "--simulator" if option_value(ctx, "simulator") else f"no {API_KEY_ENV}"
        notice = f"{reason}: using the embedded offline simulator"
        if not one_shot:
            notice += (
                "; its state ends with this command, so run `kling-edit simulate` and pass"
                " --base-url http://127.0.0.1:8765 to go step by step"
            )
        say(notice)
        client = KlingEdit.simulated(poll_schedule=_LOCAL_POLL)
        target = "embedded"
    elif base_url is not None and _is_loopback(base_url):
        client = KlingEdit(key or LOCAL_KEY, base_url=base_url, poll_schedule=_LOCAL_POLL)
        target = "loopback"
    elif key is None:
        raise CLIError(
            f"{API_KEY_ENV} is not set: set it to use {base_url}, or drop --base-url to try"
            " the embedded simulator",
            ExitCode.USAGE,
        )
    else:
        client = KlingEdit(key, base_url=base_url)
        target = "service"
    ctx.meta[TARGET] = target
    return ctx.with_resource(client)


def workflow_for(ctx: click.Context, *, steps: bool, one_shot: bool = False) -> Workflow:
    """A Workflow on this invocation's client; `steps` prints numbered step lines on stderr."""
    reporter = ConsoleReporter(
        (lambda line: click.echo(redact(line), err=True)) if steps else None,
        on_task_created=lambda task, edit: remember_task(ctx, task.task_id, edit.dest),
    )
    return Workflow(client_for(ctx, one_shot=one_shot), reporter)
