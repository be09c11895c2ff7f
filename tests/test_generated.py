"""Smoke tests of the generated package: each operation sends the right request and parses."""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest
from pytest_httpx import HTTPXMock

from kling_edit_api import AuthenticatedClient
from kling_edit_api.models import (
    ClearSelectionEnvelope,
    CreateTaskEnvelope,
    CreateTaskRequest,
    InitSelectionEnvelope,
    InitSelectionRequest,
    PreviewSelectionEnvelope,
    SelectionEnvelope,
    SelectionRequest,
    SessionRequest,
    TaskEnvelope,
    TaskListEnvelope,
)
from spec_helpers import ROUTES, operation

BASE_URL = "https://api.test"
TOKEN = "sk-generated-smoke"
CREATE_PATH = "/kling/v1/videos/multi-elements"
CREATE_OK = {
    "code": 0,
    "message": "SUCCEED",
    "data": {"task_id": "t1", "task_status": "submitted", "created_at": 1, "updated_at": 1},
}

BODY_MODELS: dict[str, Any] = {
    "init_selection": InitSelectionRequest,
    "add_selection": SelectionRequest,
    "delete_selection": SelectionRequest,
    "clear_selection": SessionRequest,
    "preview_selection": SessionRequest,
    "create_task": CreateTaskRequest,
}
ENVELOPES: dict[str, type] = {
    "init_selection": InitSelectionEnvelope,
    "add_selection": SelectionEnvelope,
    "delete_selection": SelectionEnvelope,
    "clear_selection": ClearSelectionEnvelope,
    "preview_selection": PreviewSelectionEnvelope,
    "create_task": CreateTaskEnvelope,
    "get_task": TaskEnvelope,
    "list_tasks": TaskListEnvelope,
}


def _example_request(method: str, path: str) -> Any:
    if method != "post":
        return None
    examples = operation(method, path)["requestBody"]["content"]["application/json"]["examples"]
    return next(iter(examples.values()))["value"]


def _example_response(method: str, path: str) -> Any:
    if path == CREATE_PATH and method == "post":
        return CREATE_OK  # upstream's page gives no response example
    return operation(method, path)["responses"]["200"]["content"]["application/json"]["example"]


def _call_kwargs(operation_id: str, body: Any) -> dict[str, Any]:
    if operation_id == "get_task":
        return {"task_id": "860233172487442521"}
    if operation_id == "list_tasks":
        return {"page_num": 2, "page_size": 50}
    return {"body": BODY_MODELS[operation_id].from_dict(body)}


def _expected_url(method: str, path: str, operation_id: str) -> str:
    if operation_id == "get_task":
        return BASE_URL + path.replace("{task_id}", "860233172487442521")
    if operation_id == "list_tasks":
        return f"{BASE_URL}{path}?pageNum=2&pageSize=50"
    return BASE_URL + path


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(("method", "path", "operation_id"), ROUTES)
async def test_each_operation_sends_the_documented_request_and_parses_the_answer(
    httpx_mock: HTTPXMock, mode: str, method: str, path: str, operation_id: str
) -> None:
    module = importlib.import_module(f"kling_edit_api.api.default.{operation_id}")
    body = _example_request(method, path)
    httpx_mock.add_response(
        method=method.upper(),
        url=_expected_url(method, path, operation_id),
        json=_example_response(method, path),
    )
    client = AuthenticatedClient(base_url=BASE_URL, token=TOKEN)
    kwargs = _call_kwargs(operation_id, body)
    if mode == "sync":
        response = module.sync_detailed(client=client, **kwargs)
    else:
        response = await module.asyncio_detailed(client=client, **kwargs)

    sent = httpx_mock.get_request()
    assert sent is not None
    assert sent.headers["Authorization"] == f"Bearer {TOKEN}"
    if body is not None:
        assert json.loads(sent.content) == body
    parsed = response.parsed
    assert isinstance(parsed, ENVELOPES[operation_id])
    assert getattr(parsed, "code", None) == 0


def test_generation_record_names_the_pinned_generator() -> None:
    import hashlib

    from spec_helpers import BUNDLE_PATH, ROOT

    record = json.loads((ROOT / "generated" / "GENERATION.json").read_text())
    assert record["openapi-python-client"] == "0.29.1"
    assert record["spec_sha256"] == hashlib.sha256(BUNDLE_PATH.read_bytes()).hexdigest()
