"""A PostgreSQL journal URL's password never shows, however the URL carries it or is malformed."""

from __future__ import annotations

import traceback
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from kling_edit.batch import JournalError, open_journal
from kling_edit.cli._app import cli

PASSWORD = "s3cret-pass-9f1c"

URLS = {
    # libpq reads a password from the query string as well as from the userinfo.
    "query-parameter": f"postgresql://batch@127.0.0.1:1/jobs?password={PASSWORD}",
    "query-parameter-after-another": f"postgres://127.0.0.1:1/jobs?sslmode=disable&PASSWORD={PASSWORD}",
    # urlsplit refuses it (ValueError), and psycopg's own message quotes the whole URL.
    "unclosed-ipv6-host": f"postgresql://batch:{PASSWORD}@[::1",
    "at-sign-in-password": f"postgresql://batch:{PASSWORD}@x@127.0.0.1:1/jobs",
    # Percent-encoded in the URL: libpq decodes it, and may quote either form.
    "percent-encoded": f"postgresql://batch:{quote(PASSWORD + '/', safe='')}@[::1",
}


@pytest.mark.parametrize("url", URLS.values(), ids=URLS.keys())
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_the_journal_password_never_shows(url: str, as_json: bool) -> None:
    args = ["--json"] if as_json else []
    result = CliRunner().invoke(cli, [*args, "batch", "status", "--journal", url])
    assert result.exit_code == 1, result.output
    assert "cannot open the journal" in result.stderr
    assert PASSWORD not in result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("url", URLS.values(), ids=URLS.keys())
def test_open_journal_never_shows_the_password_in_its_error_or_traceback(url: str) -> None:
    with pytest.raises(JournalError) as caught:
        open_journal(url)
    shown = "".join(traceback.format_exception(caught.value))
    assert PASSWORD not in shown
    assert quote(PASSWORD, safe="") not in shown
