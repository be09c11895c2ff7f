"""The shortcuts of the per-call path give what the general code they replace gives."""

from __future__ import annotations

import ast
import subprocess
import sys
import time
import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kling_edit import _rules
from kling_edit._book import SessionBook
from kling_edit._budget import started
from kling_edit._deadline import _deadline, end_deadline, start_deadline
from kling_edit._operations import (
    _new_external_id,
    create_task_body,
    create_task_operation,
    get_task,
)
from kling_edit._steps import CallOptions
from kling_edit_api.api.default import create_task as generated_create_task
from kling_edit_api.api.default import get_task as generated_get_task
from kling_edit_api.models import (
    CreateTaskRequest,
    EditMode,
    GenerationMode,
    ImageReference,
    ModelName,
    WatermarkInfo,
)
from kling_edit_api.types import UNSET


@pytest.mark.parametrize(
    "task_id", ["860893347496980557", "a b", "x/../y", "%2F", "é?#&=", "0klingedit0task0id0"]
)
def test_get_task_path_is_the_generated_one(task_id: str) -> None:
    built = generated_get_task._get_kwargs(task_id=task_id)
    operation = get_task(task_id)
    assert (operation.method, operation.path) == (built["method"].upper(), built["url"])


def _or_unset(value: Any) -> Any:
    return UNSET if value is None else value


_maybe_text = st.none() | st.text(max_size=8)


@given(
    edit_mode=st.sampled_from(_rules.EDIT_MODES),
    images=st.lists(st.text(min_size=1, max_size=8), max_size=2),
    negative_prompt=_maybe_text,
    mode=st.none() | st.sampled_from(_rules.MODES),
    model_name=st.none() | st.sampled_from(_rules.MODEL_NAMES),
    duration=st.none() | st.sampled_from(_rules.DURATIONS),
    callback_url=_maybe_text,
    watermark=st.none() | st.booleans(),
)
def test_create_body_is_the_generated_one(
    edit_mode: str,
    images: list[str],
    negative_prompt: str | None,
    mode: str | None,
    model_name: str | None,
    duration: str | None,
    callback_url: str | None,
    watermark: bool | None,
) -> None:
    values = {
        "session_id": "860893116416258097",
        "prompt": "Delete it from <<<video_1>>>",
        "negative_prompt": negative_prompt,
        "duration": duration,
        "callback_url": callback_url,
        "external_task_id": "order-42",
    }
    generated = CreateTaskRequest(
        **{name: _or_unset(value) for name, value in values.items()},
        edit_mode=EditMode(edit_mode),
        image_list=[ImageReference(image=image) for image in images] if images else UNSET,
        mode=GenerationMode(mode) if mode is not None else UNSET,
        model_name=ModelName(model_name) if model_name is not None else UNSET,
        watermark_info=WatermarkInfo(enabled=watermark) if watermark is not None else UNSET,
    )
    built = generated_create_task._get_kwargs(body=generated)
    body = create_task_body(
        **values,  # type: ignore[arg-type]
        edit_mode=edit_mode,
        images=images,
        mode=mode,
        model_name=model_name,
        watermark=watermark,
    )
    assert list(body.items()) == list(built["json"].items())  # the same keys in the same order


def test_create_route_is_the_generated_one() -> None:
    operation, _ = create_task_operation(
        "860893116416258097", "removal", "Delete it from <<<video_1>>>", None, {}, SessionBook()
    )
    built = generated_create_task._get_kwargs(
        body=CreateTaskRequest(session_id="s", edit_mode=EditMode.REMOVAL, prompt="p")
    )
    assert (operation.method, operation.path) == (built["method"].upper(), built["url"])


def test_made_external_ids_are_random_version_4_uuids() -> None:
    made = {_new_external_id() for _ in range(200)}
    assert len(made) == 200
    for external_id in made:
        prefix, _, text = external_id.partition("-edit-")
        made_uuid = uuid.UUID(text)
        assert (prefix, str(made_uuid)) == ("kling", text)
        assert (made_uuid.version, made_uuid.variant) == (4, uuid.RFC_4122)


def test_started_sets_only_the_deadline() -> None:
    options = CallOptions(timeout=3.0, max_retries=1, headers={"X-A": "b"}, deadline=None)
    before = time.monotonic()
    begun = started(options)
    assert begun._replace(deadline=None) == options
    assert begun.deadline is not None
    assert before + 3.0 <= begun.deadline <= time.monotonic() + 3.0


def test_deadline_is_set_inside_and_restored_after() -> None:
    assert start_deadline(None) is None
    assert _deadline.get() is None
    outer = start_deadline(30.0)
    inner_value = _deadline.get()
    assert inner_value is not None
    inner = start_deadline(1.0)
    assert _deadline.get() != inner_value
    end_deadline(inner)
    assert _deadline.get() == inner_value
    end_deadline(outer)
    assert _deadline.get() is None


def _modules_loaded_by(code: str) -> list[str]:
    """The httpcore-family modules loaded after `import httpx` by `code`, in a fresh interpreter."""
    script = (
        "import sys, httpx\n"
        "before = set(sys.modules)\n"
        f"{code}\n"
        "heavy = ('httpcore', 'h11', 'anyio', 'certifi', 'kling_edit._callbacks')\n"
        "print(sorted(m for m in set(sys.modules) - before if m.startswith(heavy)))"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    loaded: list[str] = ast.literal_eval(result.stdout.strip())
    return loaded


def test_a_client_on_a_mock_transport_loads_no_httpcore() -> None:
    # httpx loads httpcore only for its own transports; the wrapper's deadline backend follows.
    loaded = _modules_loaded_by(
        "import kling_edit\n"
        "mock = httpx.MockTransport(lambda request: httpx.Response(404))\n"
        "kling_edit.KlingEdit(api_key='k', http_client=httpx.Client(transport=mock))"
    )
    assert loaded == []


def test_a_client_on_httpx_transport_keeps_deadlines_on_its_pool() -> None:
    from kling_edit import KlingEdit
    from kling_edit._deadline_backend import _DeadlineBackend

    with KlingEdit(api_key="k") as client:
        pool = client._http._transport._pool  # type: ignore[attr-defined]
        assert isinstance(pool._network_backend, _DeadlineBackend)


def test_the_first_get_builds_no_selection_model_nor_generated_client() -> None:
    # Each attrs class costs ~0.5 ms to build: a program that only reads tasks never needs the
    # selection routes' models nor the generated Client/AuthenticatedClient (the wrapper sends
    # through its own httpx client), and both still load on first use.
    script = (
        "import sys, httpx, kling_edit\n"
        'body = b\'{"code":0,"message":"ok","data":{"task_id":"1","task_status":"submitted"}}\'\n'
        "mock = httpx.MockTransport(lambda request: httpx.Response(200, content=body))\n"
        "client = kling_edit.KlingEdit(api_key='k', http_client=httpx.Client(transport=mock))\n"
        "client.tasks.get('1')\n"
        "lazy = ('kling_edit._selection_models', 'kling_edit._parse_sessions',"
        " 'kling_edit_api.client')\n"
        "print(sorted(m for m in sys.modules if m.startswith(lazy)))\n"
        "import kling_edit_api\n"
        "print(kling_edit.Selection.__module__, kling_edit_api.Client.__name__)"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["[]", "kling_edit Client"]
