"""The console face of a `Workflow`: step lines, and a rich spinner while waiting or downloading."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from .._models import Task
from ._workflow import Edit, Reporter


def stderr_is_terminal() -> bool:
    """Whether a live display on stderr would reach a person (not a pipe, file or test runner)."""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced by an object without isatty, or closed
        return False


class ConsoleReporter(Reporter):
    """Writes each step through `write` (numbered when `numbered`; nothing when `write` is None)
    and shows a spinner with the elapsed time on stderr during slow steps, when it is a TTY.
    `on_task_created` hears of each task as soon as it exists (to offer resuming it)."""

    def __init__(
        self,
        write: Callable[[str], None] | None = None,
        *,
        numbered: bool = True,
        on_task_created: Callable[[Task, Edit], object] | None = None,
    ) -> None:
        self._write = write
        self._numbered = numbered
        self._on_task_created = on_task_created
        self._steps = 0

    def step(self, message: str) -> None:
        """Write one step line."""
        if self._write is None:
            return
        self._steps += 1
        self._write(f"{self._steps}. {message}" if self._numbered else message)

    def task_created(self, task: Task, edit: Edit) -> None:
        """Pass the new task on to `on_task_created`."""
        if self._on_task_created is not None:
            self._on_task_created(task, edit)

    @contextlib.contextmanager
    def activity(self, description: str) -> Iterator[Callable[[str], None]]:
        """A transient spinner line, updated with each status the callable receives."""
        if not stderr_is_terminal():
            with super().activity(description) as update:
                yield update
            return
        columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
        with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
            row = progress.add_task(description, total=None)
            yield lambda status: progress.update(row, description=f"{description}: {status}")
