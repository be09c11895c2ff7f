"""`kling-edit simulate`: serve the offline simulator on loopback until Ctrl-C."""

from __future__ import annotations

import shlex
from typing import Literal, cast

import click

from .._providers import ProviderName
from ._invocation import PROG, CLIError, out, say
from ._options import json_option
from ._output import ExitCode
from ._redaction import add_secret


@click.command(short_help="Serve the offline simulator on 127.0.0.1 until Ctrl-C.")
@click.option("--port", type=int, default=8765, show_default=True, help="Loopback port (0: any).")
@click.option(
    "--submit-seconds",
    type=float,
    default=0.3,
    show_default=True,
    help="How long a task stays submitted.",
)
@click.option(
    "--job-seconds",
    type=float,
    default=2.0,
    show_default=True,
    help="How long after creation a task finishes.",
)
@click.option(
    "--faults",
    "fault_rate",
    type=click.FloatRange(0.0, 1.0),
    default=0.0,
    show_default=True,
    help="Total fault rate per request on every route: 30% 429 with Retry-After, 15% 500,"
    " 15% 503, 20% dropped connections, 20% answers lost after the work was done.",
)
@click.option(
    "--max-concurrent-tasks",
    type=click.IntRange(min=1),
    default=None,
    help="Refuse creates over N running tasks per key with HTTP 429, code 1303.",
)
@click.option(
    "--duplicate-external-id",
    type=click.Choice(["refuse", "accept"]),
    default="refuse",
    show_default=True,
    help="A second create with a used external_task_id: refused (400/1201) or a second task.",
)
@click.option(
    "--provider",
    type=click.Choice(["cometapi", "kling"]),
    default="cometapi",
    show_default=True,
    help="Whose host to play: CometAPI (/kling/v1/... paths) or Kling's own (/v1/...).",
)
@click.option(
    "--api-key",
    "api_keys",
    multiple=True,
    help="Accept only this bearer key (repeat for several); by default any key works.",
)
@click.option("--access-key", help="Accept JWTs of this access key (with --secret-key).")
@click.option("--secret-key", help="The secret key that signs --access-key's JWTs.")
@click.option(
    "--webhook-secret",
    metavar="WHSEC",
    help="Sign callbacks with this webhook secret (whsec_...), as Kling does.",
)
@json_option
@click.pass_context
def simulate(
    ctx: click.Context,
    port: int,
    submit_seconds: float,
    job_seconds: float,
    fault_rate: float,
    max_concurrent_tasks: int | None,
    duplicate_external_id: Literal["refuse", "accept"],
    provider: str,
    api_keys: tuple[str, ...],
    access_key: str | None,
    secret_key: str | None,
    webhook_secret: str | None,
) -> None:
    """Serve the offline simulator on http://127.0.0.1:PORT (loopback only) until Ctrl-C.

    Then, in another terminal, go step by step against it (any key works unless keys are
    given; with --provider kling, pass --provider kling to the commands too):

    \b
        kling-edit init --video-url https://example.com/clip.mp4 \\
            --base-url http://127.0.0.1:8765
    """
    from ..testing import Faults, Simulator, serve

    for secret in (*api_keys, access_key, secret_key, webhook_secret):
        add_secret(secret)
    if (access_key is None) != (secret_key is None):
        raise CLIError("pass --access-key and --secret-key together", ExitCode.USAGE)
    if provider != "kling" and access_key is not None:
        raise CLIError("--access-key needs --provider kling", ExitCode.USAGE)
    access_keys = {access_key: secret_key} if access_key and secret_key else None
    try:
        simulator = Simulator(
            provider=cast(ProviderName, provider),  # one of click.Choice's
            api_keys=api_keys,
            access_keys=access_keys,
            webhook_secret=webhook_secret,
            submit_seconds=submit_seconds,
            job_seconds=job_seconds,
            faults=Faults.at_rate(fault_rate),
            max_active_tasks=max_concurrent_tasks,
            duplicate_external_id=duplicate_external_id,
        )
    except ValueError as error:
        raise CLIError(str(error), ExitCode.USAGE) from None
    chosen = ("--provider", provider) if provider != "cometapi" else ()

    def ready(base_url: str) -> None:
        words = ("init", "--video-url", "https://example.com/clip.mp4", *chosen)
        hint = shlex.join((PROG, *words, "--base-url", base_url))
        out(
            ctx,
            f"simulator listening on {base_url} (Ctrl-C to stop)\ntry: {hint}",
            {"base_url": base_url, "provider": provider},
        )

    try:
        serve(simulator, port=port, on_ready=ready)
    except KeyboardInterrupt:
        say("simulator stopped")
    except OSError as error:
        raise CLIError(
            f"cannot listen on 127.0.0.1:{port}: {error.strerror}", ExitCode.ERROR
        ) from None
