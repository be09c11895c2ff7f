"""Results out: which URL a download fetches, the redirects it follows, and `DownloadTarget`,
the file it streams into.

Nothing else lives here: the clients' `tasks.download` does the HTTP streaming.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

import httpx

from . import _rules
from ._errors import DownloadError, KlingEditError
from ._models import Task
from ._retry import connection_error
from ._rules import fail, require_int

_EXPIRED_STATUSES = frozenset({403, 404, 410})
_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows would otherwise translate newlines
# Result links may pass through a CDN or two; more hops than this is a loop or a trap.
MAX_REDIRECTS = 5


class DownloadTarget:
    """Where a download goes: streamed into a temporary file beside `path`, renamed on success.

    Used as a context manager around the chunk loop, so a failed or capped download never leaves
    a partial file under the final name (and removes its temporary file).
    """

    def __init__(
        self,
        dest: str | os.PathLike[str],
        default_name: str,
        max_bytes: int | None,
        on_progress: Callable[[int, int | None], object] | None = None,
    ) -> None:
        if not isinstance(dest, str | os.PathLike):
            raise fail("dest", f"must be a file or folder path, not {type(dest).__name__}")
        if "\0" in os.fspath(dest):  # pathlib's checks swallow it; os.open would fail late
            raise fail("dest", "must not contain a NUL byte")
        if max_bytes is not None:
            require_int("max_bytes", max_bytes, low=1)
        target = Path(dest).expanduser()
        if _names_a_folder(os.fspath(dest)):  # Path() drops the trailing separator that says so
            try:
                target.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise _unwritable(target, error) from None
        if target.is_dir():
            # The name comes from the answer (a task id, a URL's last segment): it may not
            # leave the folder (a separator, an absolute path, "..") nor be none.
            if _PATH_PARTS.search(default_name) or default_name.strip(".") == "":
                raise DownloadError(
                    f"{default_name[:80]!r} cannot name a file in a folder: give dest a file path"
                )
            self.path = target / default_name
        else:
            self.path = target
        if not self.path.parent.is_dir():
            raise fail("dest", f"folder {str(self.path.parent)!r} does not exist")
        self.max_bytes = max_bytes
        self.on_progress = on_progress
        self.written = 0
        self.total: int | None = None
        self._handle: BinaryIO | None = None

    def check_response(self, status_code: int, headers: Mapping[str, str], url: str) -> None:
        """Refuse an error answer, or one that announces more than max_bytes, before writing."""
        if status_code in _EXPIRED_STATUSES:
            raise DownloadError(
                f"the result at {_short(url)} is gone (HTTP {status_code}): result files are"
                " deleted 30 days after generation, and signed links expire; fetch the task"
                " again for a fresh URL, or re-run the task if it is older than 30 days",
                status_code=status_code,
            )
        if not 200 <= status_code < 300:
            raise DownloadError(
                f"downloading {_short(url)} failed: HTTP {status_code}", status_code=status_code
            )
        announced = headers.get("content-length", "").strip()
        # ASCII digits only: str.isdigit() takes "²", which int() refuses (as it refuses 4300
        # digits); past 18 digits (an exabyte) no file is that large: the answer is broken.
        declared = announced.isascii() and announced.isdigit()
        if declared and len(announced) > 18:
            raise DownloadError(
                f"the result's Content-Length ({len(announced)} digits) is not a real size",
                status_code=status_code,
            )
        self.total = int(announced) if declared else None
        if self.max_bytes is not None and self.total is not None and self.total > self.max_bytes:
            raise DownloadError(
                f"the result is {self.total} bytes, over max_bytes={self.max_bytes}",
                status_code=status_code,
            )

    def __enter__(self) -> DownloadTarget:
        # Not mkstemp: its files are 0600; os.open with 0o666 lets the umask decide, so the
        # result gets the permissions any other new file would.
        self._temp = self.path.with_name(f".{self.path.name}.{os.urandom(8).hex()}.part")
        try:
            fd = os.open(self._temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o666)
        except OSError as error:
            raise _unwritable(self.path.parent, error) from None
        self._handle = os.fdopen(fd, "wb")
        return self

    def write(self, chunk: bytes) -> None:
        assert self._handle is not None, "write() outside the with block"
        self.written += len(chunk)
        if self.max_bytes is not None and self.written > self.max_bytes:
            raise DownloadError(f"the result is larger than max_bytes={self.max_bytes}; stopped")
        try:
            self._handle.write(chunk)
        except OSError as error:  # a full disk, say
            raise _unwritable(self.path.parent, error) from None
        if self.on_progress is not None:
            self.on_progress(self.written, self.total)

    def check_complete(self, received: int) -> None:
        """Refuse a body shorter (or longer) than its Content-Length: a cut-off video.

        `received` counts the raw bytes (Content-Length counts those, not the decoded ones);
        a body that was already in memory, not streamed, counts none: its bytes written do.
        """
        received = received or self.written
        if self.total is not None and received != self.total:
            raise DownloadError(
                f"the download ended after {received} of {self.total} bytes; try again"
            )

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._handle is not None
        self._handle.close()
        if kind is None:
            try:
                os.replace(self._temp, self.path)
            except OSError as error:
                self._temp.unlink(missing_ok=True)
                raise _unwritable(self.path, error) from None
        else:
            self._temp.unlink(missing_ok=True)


def _names_a_folder(dest: str) -> bool:
    return dest.endswith(os.sep) or (os.altsep is not None and dest.endswith(os.altsep))


def _unwritable(where: Path, error: OSError) -> DownloadError:
    return DownloadError(f"cannot write the download to {str(where)!r}: {error.strerror or error}")


def is_url(task: str) -> bool:
    """Whether `tasks.download` got a result URL rather than a task id (ids have no scheme)."""
    return "://" in task


def download_failure(error: httpx.RequestError) -> KlingEditError:
    """The error tree's name for what went wrong on the wire during a download."""
    if isinstance(error, httpx.InvalidURL):  # what check_http_url cannot see: a bad IPv6 host
        return fail("task", f"is not a usable URL ({error})")
    if isinstance(error, httpx.RemoteProtocolError):  # e.g. the connection closed mid-body
        return DownloadError(f"the server broke off the download ({error}); try again")
    return connection_error(error)


def next_hop(response: httpx.Response, hops: int) -> httpx.Request | None:
    """The request a redirect answer points to (None for any other answer), at most
    MAX_REDIRECTS of them."""
    if response.next_request is None:
        return None
    if hops >= MAX_REDIRECTS:
        raise DownloadError(
            f"the result URL redirected more than {MAX_REDIRECTS} times; stopped",
            status_code=response.status_code,
        )
    return response.next_request


def _short(url: str) -> str:
    # Signed result URLs carry credentials in the query string: never echo it.
    return url.split("?", 1)[0]


_HTTP_URL = re.compile(r"https?://", re.IGNORECASE)
# A separator (either OS's), a NUL or a drive colon would take the name out of the folder.
_PATH_PARTS = re.compile(r"[/\\\x00:]")


def download_plan(
    task: Task | str,
    dest: str | os.PathLike[str],
    index: int,
    max_bytes: int | None,
    on_progress: Callable[[int, int | None], object] | None,
) -> tuple[str, DownloadTarget]:
    """The URL to fetch for a task's result (or a URL given as is) and where it goes.

    A task id must have been fetched into its Task first (see `is_url`).
    """
    _rules.require_int("index", index, low=0)
    if isinstance(task, Task):
        if index >= len(task.videos):
            raise _rules.fail(
                "task", f"task {task.task_id} has no result video #{index} (status {task.status})"
            )
        url, name = task.videos[index].url, f"{task.task_id}{'-' + str(index) if index else ''}.mp4"
        # From the service's answer, like the name: it may not reach beyond http(s).
        if not _HTTP_URL.match(url):
            raise DownloadError(f"task {task.task_id}'s result URL is not http(s): {url[:80]!r}")
    else:
        url = _rules.check_http_url("task", task)
        name = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or "result.mp4"
    return url, DownloadTarget(dest, name, max_bytes, on_progress)
