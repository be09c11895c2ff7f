"""The client one invocation uses: the real service, a loopback simulator or the embedded one.

Nothing else lives here.
"""

from __future__ import annotations

import os
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

import click

from .._client import AsyncKlingEdit, KlingEdit
from .._flows import PollSchedule
from .._providers import Provider, provider_named
from ._invocation import TARGET, CLIError, redact, remember_task, say
from ._options import PROVIDER_ENV, option_value
from ._output import ExitCode
from ._progress import ConsoleReporter
from ._workflow import Workflow

Target = Literal["service", "loopback", "embedded"]
AnyClient = TypeVar("AnyClient", KlingEdit, AsyncKlingEdit)

# A local simulator answers at once and costs nothing, so poll it often.
_LOCAL_POLL = PollSchedule(first=0.2, factor=1.5, maximum=1.0)
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# The loopback simulator accepts any bearer key unless started with one.
LOCAL_KEY = "sk-local-simulator"


def _is_loopback(url: str) -> bool:
    try:
        return urlsplit(url).hostname in _LOOPBACK_HOSTS
    except ValueError:  # an unclosed IPv6 host: no loopback, and the client refuses it
        return False


def provider_of(ctx: click.Context) -> Provider:
    """The provider this invocation talks to: --provider, else $KLING_EDIT_PROVIDER, else
    CometAPI."""
    name = option_value(ctx, "provider") or os.environ.get(PROVIDER_ENV, "").strip() or "cometapi"
    try:
        return provider_named(name)
    except ValueError as error:
        raise CLIError(f"{PROVIDER_ENV}: {error}", ExitCode.USAGE) from None


def connect(
    ctx: click.Context, kind: type[AnyClient], *, one_shot: bool = False, **options: Any
) -> AnyClient:
    """The client (sync or async `kind`) this invocation uses, made with `options` (say
    `max_concurrent_tasks`); the caller closes it.

    The provider's credentials set (COMETAPI_KEY, or KLING_API_KEY / KLING_ACCESS_KEY and
    KLING_SECRET_KEY with --provider kling): the real service. None: a loopback simulator named
    by --base-url, or else the embedded one (`one_shot` commands do all their work in this
    process, so losing the simulator's state at exit does not matter to them).
    """
    provider = provider_of(ctx)
    has_credentials = provider.has_credentials(os.environ)
    base_url = option_value(ctx, "base_url") or os.environ.get(provider.base_url_env) or None
    target: Target
    if option_value(ctx, "simulator") or (not has_credentials and base_url is None):
        reason = "--simulator" if option_value(ctx, "simulator") else "no key"
        notice = f"{reason}: using the embedded offline simulator"
        if not one_shot:
            notice += (
                "; its state ends with this command, so run `kling-edit simulate` and pass"
                " --base-url http://127.0.0.1:8765 to go step by step"
            )
        say(notice)
        client = kind.simulated(provider=provider.name, poll_schedule=_LOCAL_POLL, **options)
        target = "embedded"
    elif base_url is not None and _is_loopback(base_url):
        # The client reads the provider's variables itself; without any, any key will do.
        key = None if has_credentials else LOCAL_KEY
        client = kind(
            key, provider=provider.name, base_url=base_url, poll_schedule=_LOCAL_POLL, **options
        )
        target = "loopback"
    elif not has_credentials:
        raise CLIError(
            f"{' or '.join(provider.key_variables)} is not set: set it to use {base_url}, or"
            " drop --base-url to try the embedded simulator",
            ExitCode.USAGE,
        )
    else:
        client = kind(provider=provider.name, base_url=base_url, **options)
        target = "service"
    ctx.meta[TARGET] = target
    return client


def client_for(ctx: click.Context, *, one_shot: bool = False) -> KlingEdit:
    """The sync client this invocation uses, closed when the command ends."""
    return ctx.with_resource(connect(ctx, KlingEdit, one_shot=one_shot))


def workflow_for(ctx: click.Context, *, steps: bool, one_shot: bool = False) -> Workflow:
    """A Workflow on this invocation's client; `steps` prints numbered step lines on stderr."""
    reporter = ConsoleReporter(
        (lambda line: click.echo(redact(line), err=True)) if steps else None,
        on_task_created=lambda task, edit: remember_task(ctx, task.task_id, edit.dest),
    )
    return Workflow(client_for(ctx, one_shot=one_shot), reporter)
