"""The CLI on Kling's own host: --provider and its variables on every command, `listen`
registered, and no secret in any output, escaped forms included."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner, Result

from kling_edit.cli._app import cli
from kling_edit.cli._redaction import redact
from kling_edit.testing import Simulator, running_server

AK = "ak-SECRET-cli-access"
SK = "sk-SECRET-cli-signing-key-32-bytes"
VIDEO = "https://example.com/clip.mp4"


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def kling_url() -> Iterator[str]:
    simulator = Simulator(
        provider="kling", access_keys={AK: SK}, submit_seconds=0.05, job_seconds=0.2
    )
    with running_server(simulator) as base_url:
        yield base_url


def test_every_step_runs_on_kling_with_access_keys(
    kling_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KLING_ACCESS_KEY", AK)
    monkeypatch.setenv("KLING_SECRET_KEY", SK)
    at = ("--provider", "kling", "--base-url", kling_url, "--json")

    ran = invoke(
        "run", "--video", VIDEO, "--point", "0.125,0.5", "--edit", "removal",
        "--prompt", "Remove the selected object from <<<video_1>>>", "--out", tmp_path, *at,
    )  # fmt: skip
    assert ran.exit_code == 0, ran.stderr
    listed = invoke("list", *at)
    assert listed.exit_code == 0, listed.stderr
    # The environment chooses the provider too.
    monkeypatch.setenv("KLING_EDIT_PROVIDER", "kling")
    monkeypatch.setenv("KLING_BASE_URL", kling_url)
    task_id = json.loads(listed.stdout)["tasks"][0]["task_id"]
    status = invoke("status", task_id)
    assert status.exit_code == 0, status.stderr
    for result in (ran, listed, status):
        assert SK not in result.stdout + result.stderr


def test_the_cometapi_layout_fails_on_kling(
    kling_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMETAPI_KEY", "sk-SECRET-cometapi-key")
    result = invoke("list", "--base-url", kling_url)
    assert result.exit_code == 3
    assert "code 1203" in result.stderr


def test_next_steps_keep_the_provider(kling_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLING_ACCESS_KEY", AK)
    monkeypatch.setenv("KLING_SECRET_KEY", SK)
    result = invoke("init", "--video-url", VIDEO, "--provider", "kling", "--base-url", kling_url)
    assert result.exit_code == 0, result.stderr
    assert f"--provider kling --base-url {kling_url}" in result.stdout


def test_a_key_with_a_newline_is_refused_naming_the_variable(
    kling_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KLING_ACCESS_KEY", AK)
    monkeypatch.setenv("KLING_SECRET_KEY", "sk-SECRET-first\nsk-SECRET-second")

    result = invoke("list", "--provider", "kling", "--base-url", kling_url, "--json")

    assert result.exit_code == 2
    assert "KLING_SECRET_KEY" in result.stderr
    assert "control character" in result.stderr
    assert "sk-SECRET" not in result.stdout + result.stderr


def test_escaped_forms_of_a_secret_are_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = 'sk-SECRET"quoted\\slash/+é'
    monkeypatch.setenv("KLING_API_KEY", secret)
    escaped = [secret, repr(secret), json.dumps(secret), quote(secret, safe=""), quote(secret)]

    shown = redact(" | ".join(escaped))

    assert "SECRET" not in shown


def test_an_echoed_secret_is_redacted_in_json_output(
    kling_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The task id echoed in the error is the key itself: JSON output escapes its quote.
    key = 'sk-SECRET-"echoed"-key'
    monkeypatch.setenv("KLING_API_KEY", key)
    sim = Simulator(provider="kling")
    with running_server(sim) as base_url:
        result = invoke("status", key, "--provider", "kling", "--base-url", base_url, "--json")
    assert result.exit_code == 3
    assert "SECRET" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "options",
    [("--provider", "kling", "--access-key", AK), ("--access-key", AK, "--secret-key", SK)],
    ids=["half-a-pair", "access-keys-on-cometapi"],
)
def test_simulate_refuses_keys_it_cannot_use(options: tuple[str, ...]) -> None:
    result = invoke("simulate", "--port", "0", *options)
    assert result.exit_code == 2
    assert "--access-key" in result.stderr
    assert SK not in result.stderr


def test_listen_is_a_command() -> None:
    result = invoke("--help")
    assert "listen" in result.stdout
    assert invoke("listen", "--help").exit_code == 0


def test_every_api_command_takes_provider() -> None:
    for command in ("init", "preview", "create", "status", "wait", "download", "list", "run"):
        assert "--provider" in invoke(command, "--help").stdout, command
    assert "--provider" in invoke("points", "add", "--help").stdout
    assert "--provider" in invoke("batch", "run", "--help").stdout
    assert "--provider" in invoke("simulate", "--help").stdout
