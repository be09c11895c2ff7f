"""The public surface: exactly these names, no generated types, a light import, twin clients."""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
import subprocess
import sys

import pytest

import kling_edit
from kling_edit import AsyncKlingEdit, KlingEdit
from kling_edit._sessions import AsyncSessions, Sessions
from kling_edit._tasks import AsyncTasks, Tasks

PUBLIC_NAMES = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APITimeoutError",
    "AccountError",
    "AsyncKlingEdit",
    "AuthenticationError",
    "BadRequestError",
    "ContentPolicyError",
    "Cost",
    "CreateOptions",
    "DownloadError",
    "KlingEdit",
    "KlingEditError",
    "Mask",
    "NotFoundError",
    "ObjectMask",
    "PermissionDeniedError",
    "PollSchedule",
    "Preview",
    "PromptWarning",
    "RateLimitError",
    "RequestOptions",
    "RequestValidationError",
    "Selection",
    "ServerError",
    "Session",
    "Task",
    "TaskFailedError",
    "TaskStatus",
    "TaskVideo",
    "VideoRejectedError",
    "WaitTimeoutError",
    "WebhookVerificationError",
    "__version__",
    "parse_callback",
]


def test_all_is_pinned_and_sorted() -> None:
    assert kling_edit.__all__ == PUBLIC_NAMES
    assert sorted(kling_edit.__all__) == kling_edit.__all__
    assert all(hasattr(kling_edit, name) for name in kling_edit.__all__)


def test_no_generated_type_is_exported() -> None:
    for name in dir(kling_edit):
        module = getattr(getattr(kling_edit, name), "__module__", None) or ""
        assert not module.startswith("kling_edit_api"), f"kling_edit.{name} comes from {module}"


def test_public_names_report_kling_edit_as_their_module() -> None:
    for name in kling_edit.__all__:
        if not name.startswith("__"):
            assert getattr(kling_edit, name).__module__ == "kling_edit", name


def test_version_matches_the_installed_distribution() -> None:
    assert kling_edit.__version__ == importlib.metadata.version("kling-edit")


# httpx 0.28 itself imports click and rich when they are installed (its own CLI; see
# encode/httpx#3547), as they are in the dev environment: so the check runs with httpx already
# imported, and once more with click and rich made unimportable, as on a plain install.
IMPORT_SCENARIOS = {
    "after-httpx": "import httpx\n",
    "without-cli-extra": "sys.modules['click'] = sys.modules['rich'] = None\n",
}


@pytest.mark.parametrize("setup", IMPORT_SCENARIOS.values(), ids=IMPORT_SCENARIOS.keys())
def test_importing_the_package_stays_light(setup: str) -> None:
    # A fresh interpreter: this one has the simulator loaded through the pytest plugin.
    code = (
        "import sys\n"
        f"{setup}"
        "before = set(sys.modules)\n"
        "import kling_edit\n"
        "heavy = ('kling_edit.testing', 'kling_edit.cli', 'click', 'rich')\n"
        "print(sorted(m for m in set(sys.modules) - before if m.startswith(heavy)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()

    assert loaded == "[]"


def _public_methods(cls: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in vars(cls).items()
        if callable(member) and not name.startswith("_")
    }


@pytest.mark.parametrize(
    ("sync", "asynchronous"),
    [(Sessions, AsyncSessions), (Tasks, AsyncTasks), (KlingEdit, AsyncKlingEdit)],
)
def test_the_async_client_mirrors_the_sync_one(sync: type, asynchronous: type) -> None:
    sync_methods = _public_methods(sync)
    async_methods = _public_methods(asynchronous)

    assert sync_methods.keys() == async_methods.keys()
    for name, signature in sync_methods.items():
        twin = async_methods[name]
        assert list(signature.parameters) == list(twin.parameters), name
        assert [p.default for p in signature.parameters.values()] == [
            p.default for p in twin.parameters.values()
        ], name


BATCH_NAMES = [
    "STATES",
    "BadLine",
    "BatchRunner",
    "Expiring",
    "Failure",
    "Job",
    "JobRecord",
    "Journal",
    "JournalError",
    "LeaseLostError",
    "Mark",
    "PostgresJournal",
    "SQLiteJournal",
    "Summary",
    "load_jobs",
    "open_journal",
    "summarize",
]


TESTING_NAMES = [
    "SAMPLE_COVER",
    "SAMPLE_IMAGE",
    "SAMPLE_VIDEO",
    "ConnectionFault",
    "FakeClock",
    "Faults",
    "RouteFaults",
    "SimResponse",
    "SimSession",
    "SimTask",
    "Simulator",
    "SimulatorTransport",
    "VideoInfo",
    "running_server",
    "serve",
]


@pytest.mark.parametrize(
    ("module_name", "names"),
    [("kling_edit.batch", BATCH_NAMES), ("kling_edit.testing", TESTING_NAMES)],
)
def test_a_public_submodule_is_pinned_and_its_names_report_it(
    module_name: str, names: list[str]
) -> None:
    module = importlib.import_module(module_name)
    assert module.__all__ == names
    for name in names:
        if not name.isupper():  # constants (STATES, the sample paths) have no module
            assert getattr(module, name).__module__ == module_name, name
