"""An unusable --base-url (or COMETAPI_BASE_URL) is bad input (exit 2), never a traceback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from kling_edit.cli._app import cli


@pytest.mark.parametrize("base_url", ["http://[::1", "http://127.0.0.1:port"])
@pytest.mark.parametrize("from_env", [False, True], ids=["option", "variable"])
def test_an_unparseable_base_url_exits_2_naming_it(
    monkeypatch: pytest.MonkeyPatch, base_url: str, from_env: bool
) -> None:
    monkeypatch.setenv("COMETAPI_KEY", "key-for-the-test")
    if from_env:
        monkeypatch.setenv("COMETAPI_BASE_URL", base_url)
    args = ["status", "123"] if from_env else ["status", "123", "--base-url", base_url]
    result = CliRunner().invoke(cli, args)
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2, result.output
    assert "base_url" in result.stderr or "COMETAPI_BASE_URL" in result.stderr
