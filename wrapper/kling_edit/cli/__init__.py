"""The `kling-edit` command line (install with `pip install 'kling-edit[cli]'`).

Only this package imports click and rich, and only when `main()` runs: `import kling_edit` and
`import kling_edit.cli` never do. `main()` is the console script's entry point (`kling-edit
--help` lists the commands and exit codes); `Workflow` runs the whole edit on a client and is
what both `kling-edit run` and `scripts/demo.py` use.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from ._output import ExitCode
from ._workflow import Edit, Outcome, Plan, Reporter, Result, Workflow

__all__ = ["Edit", "ExitCode", "Outcome", "Plan", "Reporter", "Result", "Workflow", "main"]

_CLI_PACKAGES = ("click", "rich")


def main(argv: Sequence[str] | None = None) -> None:
    """Run `kling-edit` with `argv` (default: the process arguments) and exit."""
    try:
        from ._app import cli
        from ._invocation import PROG
    except ModuleNotFoundError as error:
        if error.name not in _CLI_PACKAGES:
            raise
        sys.stderr.write(
            f"kling-edit: the command line needs {error.name}: pip install 'kling-edit[cli]'\n"
        )
        raise SystemExit(1) from None
    cli.main(args=list(argv) if argv is not None else None, prog_name=PROG)
