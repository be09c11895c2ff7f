"""The bundled spec against the simulator and the wrapper.

1. Requests generated from each route's schema, sent with raw httpx to the simulator in process:
   every answer is a JSON envelope, 200 bodies match the route's 200 schema, errors use the
   statuses the route documents and the codes of api-facts, and nothing answers 5xx.
2. Every response example of the spec reads through the wrapper: 200 examples into its models,
   error examples into the documented error classes.

hypothesis-jsonschema 0.23.1 does not run on the pinned Hypothesis (it calls an internal API that
is gone), so `from_schema` below covers the keywords the bundle uses, and refuses any other, so
that a spec change cannot silently narrow what is generated.
"""

from __future__ import annotations

import base64
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import quote

import httpx
import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kling_edit
from kling_edit import (
    APIError,
    Preview,
    Selection,
    Session,
    Task,
)
from kling_edit.testing import SAMPLE_IMAGE
from proof_helpers import (
    KINDS,
    PROMPT,
    VIDEO_URL,
    check_error_code,
    close,
    invoke,
    over,
    simulator,
    sized,
)
from spec_helpers import ROUTES, bundle, operation, reference_table, response_validator

KEY = "sk-property"
JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=6,
)
# Keywords that only describe, or that the validator filter enforces (allOf, oneOf, if/then).
PASSIVE_KEYWORDS = frozenset(
    {"description", "default", "example", "examples", "format", "allOf", "oneOf", "if", "then"}
)
GENERATED_KEYWORDS = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "enum",
        "const",
        "minLength",
        "maxLength",
        "pattern",
        "minimum",
        "maximum",
        "items",
        "minItems",
        "maxItems",
    }
)


def inline(node: Any, root: Mapping[str, Any] | None = None) -> Any:
    """`node` with every local `$ref` of the bundle replaced by its target."""
    root = root if root is not None else bundle()
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = root
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            rest = {key: value for key, value in node.items() if key != "$ref"}
            return inline({**target, **rest}, root)
        return {key: inline(value, root) for key, value in node.items()}
    if isinstance(node, list):
        return [inline(value, root) for value in node]
    return node


def keywords(schema: Any) -> Iterator[str]:
    if isinstance(schema, dict):
        for key, value in schema.items():
            yield key
            if key == "properties":
                for child in value.values():
                    yield from keywords(child)
            elif key not in ("examples", "example", "default", "enum", "const", "required"):
                yield from keywords(value)
    elif isinstance(schema, list):
        for item in schema:
            yield from keywords(item)


Hints = Mapping[str, st.SearchStrategy[Any]]


def from_schema(schema: Mapping[str, Any], hints: Hints) -> st.SearchStrategy[Any]:
    """Values of `schema`, each property also drawn from `hints[name]` when given (values the
    service can act on: live session ids, a real image). The caller filters for validity."""
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "object":
        return _object(schema, hints)
    if kind == "array":
        return st.lists(
            from_schema(schema.get("items", {}), hints),
            min_size=schema.get("minItems", 0),
            max_size=schema.get("maxItems", 4),
        )
    if kind == "string":
        size = {"min_size": schema.get("minLength", 0), "max_size": schema.get("maxLength")}
        if "pattern" in schema:
            low, high = size["min_size"], size["max_size"]
            return st.from_regex(schema["pattern"]).filter(
                lambda text: low <= len(text) and (high is None or len(text) <= high)
            )
        return st.text(**size)
    if kind in ("integer", "number"):
        low, high = schema.get("minimum"), schema.get("maximum")
        integers = st.integers(low, high)
        if kind == "integer":
            return integers
        return integers | st.floats(low, high, allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    return JSON_VALUES


def _object(schema: Mapping[str, Any], hints: Hints) -> st.SearchStrategy[dict[str, Any]]:
    properties: Mapping[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", ()))

    def value(name: str) -> st.SearchStrategy[Any]:
        own = from_schema(properties[name], hints)
        if name not in hints:
            return own
        # Mostly the hint: a request passes the service's rules only if every field does.
        return st.integers(0, 4).flatmap(lambda roll: own if roll == 0 else hints[name])

    known = st.fixed_dictionaries(
        {name: value(name) for name in properties if name in required},
        optional={name: value(name) for name in properties if name not in required},
    )
    if schema.get("additionalProperties") is False:
        return known
    # Unknown fields are allowed: the service must ignore them, not fail.
    extra = st.dictionaries(
        st.text(min_size=1, max_size=12).filter(lambda key: key not in properties),
        JSON_VALUES,
        max_size=2,
    )
    return st.builds(lambda fields, more: {**more, **fields}, known, extra)


def validator(schema: Mapping[str, Any]) -> jsonschema.protocols.Validator:
    checker: jsonschema.protocols.Validator = jsonschema.Draft202012Validator(schema)
    return checker


# ---------------------------------------------------------------------------------------------
# Requests from the spec, answers from the simulator


class World:
    """A simulator with some live state, so generated requests can hit real sessions and tasks."""

    def __init__(self) -> None:
        self.sim = simulator(submit_seconds=0.0, job_seconds=0.0)
        self.http = httpx.Client(
            transport=self.sim.transport(),
            base_url=self.sim.base_url,
            headers={"Authorization": f"Bearer {KEY}"},
        )
        self.sessions = [self._session(marked=index < 2) for index in range(3)]
        created = self.post(
            "/kling/v1/videos/multi-elements",
            {
                "session_id": self.sessions[0],
                "edit_mode": "removal",
                "prompt": PROMPT,
                "external_task_id": "property-1",
            },
        ).json()["data"]
        self.task_ids = [created["task_id"], "property-1"]

    def _session(self, *, marked: bool) -> str:
        path = "/kling/v1/videos/multi-elements/init-selection"
        session_id: str = self.post(path, {"video_url": VIDEO_URL}).json()["data"]["session_id"]
        if marked:
            points = {"session_id": session_id, "frame_index": 0, "points": [{"x": 0.5, "y": 0.5}]}
            self.post("/kling/v1/videos/multi-elements/add-selection", points)
        return session_id

    def post(self, path: str, body: Any) -> httpx.Response:
        return self.http.post(path, content=json.dumps(body).encode())

    def hints(self) -> Hints:
        image = SAMPLE_IMAGE.read_bytes()
        return {
            "session_id": st.sampled_from(self.sessions),
            "video_url": st.sampled_from([VIDEO_URL, "https://media.test/clip.mov"]),
            "video_id": st.sampled_from(["842250903629086785"]),
            "prompt": st.sampled_from(
                [PROMPT, "Add <<<image_1>>> to <<<video_1>>>", "Swap in <<<image_1>>>"]
            ),
            "image": st.sampled_from(
                [base64.b64encode(image).decode(), "https://images.test/object.png"]
            ),
            # Frame 0 of the first two sessions holds the one point that delete can remove.
            "frame_index": st.integers(0, 2),
            "points": st.just([{"x": 0.5, "y": 0.5}]),
            "task_id": st.sampled_from(self.task_ids),
            "duration": st.just("5"),  # the sessions' videos last 5 s
            "callback_url": st.sampled_from(["https://hooks.test/kling"]),
        }


def error_schema(method: str, path: str, status: int) -> Mapping[str, Any]:
    responses = operation(method, path)["responses"]
    assert str(status) in responses, f"{method.upper()} {path} answered undocumented HTTP {status}"
    schema: Mapping[str, Any] = inline(responses[str(status)])["content"]["application/json"][
        "schema"
    ]
    return schema


def check_answer(method: str, path: str, response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    body = response.json()
    if response.status_code == 200:
        errors = [e.message for e in response_validator(method, path).iter_errors(body)]
        assert not errors, f"200 body of {method.upper()} {path} breaks the spec: {errors}"
        assert body["code"] == 0
        return
    errors = [
        e.message
        for e in validator(error_schema(method, path, response.status_code)).iter_errors(body)
    ]
    assert not errors, f"error body breaks the spec: {errors}"
    check_error_code(response.status_code, body)


def request_strategy(
    method: str, path: str, world: World
) -> st.SearchStrategy[Callable[[], httpx.Response]]:
    """Requests for one route, as thunks that send them."""
    op = inline(operation(method, path))
    hints = world.hints()
    if method == "post":
        schema = op["requestBody"]["content"]["application/json"]["schema"]
        unknown = set(keywords(schema)) - GENERATED_KEYWORDS - PASSIVE_KEYWORDS
        assert not unknown, f"teach from_schema these keywords: {sorted(unknown)}"
        bodies = from_schema(schema, hints).filter(validator(schema).is_valid)
        return bodies.map(lambda body: lambda: world.post(path, body))
    parameters = {p["name"]: p for p in op.get("parameters", [])}
    params = from_schema(
        {
            "type": "object",
            "properties": {name: p["schema"] for name, p in parameters.items()},
            "required": [name for name, p in parameters.items() if p.get("required")],
            "additionalProperties": False,
        },
        hints,
    )

    def send(values: dict[str, Any]) -> Callable[[], httpx.Response]:
        query = {k: v for k, v in values.items() if parameters[k]["in"] == "query"}
        url = path.format(
            **{k: quote(str(v), safe="") for k, v in values.items() if k not in query}
        )
        return lambda: world.http.get(url, params=query)

    # "." and ".." are dot segments every URL library removes (RFC 3986): no client can send
    # them as a path parameter (the wrapper's side of this is in test_fuzz).
    return params.filter(lambda values: values.get("task_id") not in (".", "..")).map(send)


@pytest.mark.parametrize("examples", sized(60, 10_000))
@pytest.mark.parametrize(("method", "path", "name"), ROUTES, ids=[name for *_, name in ROUTES])
def test_simulator_answers_every_valid_request_as_documented(
    method: str, path: str, name: str, examples: int
) -> None:
    world = World()
    statuses: Counter[int] = Counter()

    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
    )
    @given(send=request_strategy(method, path, world))
    def run(send: Callable[[], httpx.Response]) -> None:
        response = send()
        check_answer(method, path, response)
        statuses[response.status_code] += 1

    run()
    world.http.close()
    # The hints make sure the routes' success paths ran, not only their refusals.
    assert statuses[200] > 0, f"no request to {name} succeeded: {dict(statuses)}"


# A host urllib cannot split: refused with 1201 like any bad URL, not a crash.
MALFORMED_URL = "http://[x.mp4"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (
            "/kling/v1/videos/multi-elements",
            {
                "session_id": "s",
                "edit_mode": "removal",
                "prompt": PROMPT,
                "callback_url": MALFORMED_URL,
            },
        ),
        (
            "/kling/v1/videos/multi-elements",
            {
                "session_id": "s",
                "edit_mode": "swap",
                "prompt": PROMPT,
                "image_list": [{"image": MALFORMED_URL}],
            },
        ),
    ],
    ids=["callback_url", "image"],
)
def test_simulator_refuses_a_malformed_url(path: str, body: dict[str, Any]) -> None:
    world = World()
    response = world.post(path, body)
    assert (response.status_code, response.json()["code"]) == (400, 1201)


def test_simulator_rejects_a_malformed_video_url_as_a_video() -> None:
    # No document makes the link's shape a request rule: the service cannot fetch it and
    # answers a rejected video (non-zero status), not 1201.
    response = World().post(
        "/kling/v1/videos/multi-elements/init-selection", {"video_url": MALFORMED_URL}
    )
    envelope = response.json()
    assert (response.status_code, envelope["code"], envelope["data"]["status"] != 0) == (
        200,
        0,
        True,
    )


# ---------------------------------------------------------------------------------------------
# The spec's response examples through the wrapper

SESSION_ID = "849161853224271900"
# operationId -> the wrapper call that sends that request.
CALLS: Mapping[str, tuple[str, tuple[Any, ...], Mapping[str, Any]]] = {
    "init_selection": ("sessions.init", (), {"video_url": VIDEO_URL}),
    "add_selection": (
        "sessions.add_points",
        (SESSION_ID,),
        {"frame_index": 0, "points": [(0.5, 0.4)]},
    ),
    "delete_selection": (
        "sessions.delete_points",
        (SESSION_ID,),
        {"frame_index": 0, "points": [(0.5, 0.4)]},
    ),
    "clear_selection": ("sessions.clear", (SESSION_ID,), {}),
    "preview_selection": ("sessions.preview", (SESSION_ID,), {}),
    "create_task": ("tasks.remove", (SESSION_ID,), {"prompt": PROMPT}),
    "get_task": ("tasks.get", ("860233172487442521",), {}),
    "list_tasks": ("tasks.list", (), {}),
}
# Expected from docs/api-reference.md's error table, not from the code under test.
ERROR_CLASSES: Mapping[int, type[APIError]] = {
    int(row["code"]): getattr(kling_edit, row["exception"]) for row in reference_table("Errors")
}
NOT_FOUND = {"code": 1203, "message": "no such thing", "data": None}


def response_examples() -> list[Any]:
    return list(_response_examples())


def _response_examples() -> Iterator[Any]:
    for method, path, name in ROUTES:
        for status, response in operation(method, path)["responses"].items():
            content = inline(response).get("content", {}).get("application/json", {})
            found = [content["example"]] if "example" in content else []
            found += [item["value"] for item in content.get("examples", {}).values()]
            for index, example in enumerate(found):
                yield pytest.param(
                    method, path, name, int(status), example, id=f"{name}-{status}-{index}"
                )


def typed(result: Any) -> Any:
    """The fields of a wrapper model that come from the answer, in the answer's own shape."""
    if isinstance(result, list):
        return [typed(item) for item in result]
    if isinstance(result, Task):
        return {"task_id": result.task_id, "task_status": result.status}
    if isinstance(result, Session):
        return {"session_id": result.session_id, "total_frame": result.total_frame}
    if isinstance(result, Selection):
        return {"frame_index": result.frame_index, "objects": len(result.objects)}
    if isinstance(result, Preview):
        return {"video": result.video_url, "video_cover": result.cover_url}
    return result


def expected(name: str, data: Any) -> Any:
    if name == "list_tasks":
        return [expected("get_task", item) for item in data]
    if name in ("get_task", "create_task"):
        return {"task_id": data["task_id"], "task_status": data["task_status"]}
    if name == "init_selection":
        return {"session_id": data["session_id"], "total_frame": data["total_frame"]}
    if name in ("add_selection", "delete_selection"):
        res = data["res"]
        return {"frame_index": res["frame_index"], "objects": len(res["rle_mask_list"])}
    if name == "preview_selection":
        return {"video": data["res"]["video"], "video_cover": data["res"]["video_cover"]}
    return None  # clear-selection answers nothing


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("method", "path", "name", "status", "example"), response_examples())
async def test_every_spec_example_reads_through_the_wrapper(
    kind: str, method: str, path: str, name: str, status: int, example: Any
) -> None:
    route = re.compile(re.sub(r"\{[^}]+\}", "[^/]+", path))

    def answer(request: httpx.Request) -> httpx.Response:
        # The route under test answers the example; any other (create's lookups) has nothing.
        if request.method.lower() == method and route.fullmatch(request.url.path):
            return httpx.Response(status, json=example)
        return httpx.Response(404, json=NOT_FOUND)

    client = over(kind, answer, max_retries=0)
    call, args, kwargs = CALLS[name]
    try:
        if status == 200:
            result = await invoke(client, call, *args, **kwargs)
            assert typed(result) == expected(name, example["data"])
            return
        with pytest.raises(ERROR_CLASSES[example["code"]]) as raised:
            await invoke(client, call, *args, **kwargs)
    finally:
        await close(client)
    error = raised.value
    assert (error.status_code, error.code) == (status, example["code"])
    assert (error.message, error.request_id) == (example["message"], example["request_id"])
