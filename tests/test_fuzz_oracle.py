"""Create arguments near every documented limit, each with the one outcome the rule table gives.

A small oracle written here from the table's literals (shared/api-facts.md) says, for each
drawn combination, whether the call must be refused before sending (RequestValidationError) or
sent; the client must do exactly that, sync and async. Unlike test_fuzz, "either is fine" is
never an answer.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kling_edit import AsyncKlingEdit, KlingEdit, RequestValidationError
from wrapper_helpers import BASE_URL, KEY, SESSION_ID, Api, envelope, png_bytes, task_data

pytestmark = pytest.mark.filterwarnings("ignore::kling_edit.PromptWarning")

OMIT = object()

# (width, height) on both sides of the limits: each side >= 300 px, aspect 1:2.5 .. 2.5:1.
IMAGES = st.sampled_from(
    [(300, 300), (299, 400), (400, 299), (750, 300), (751, 300), (300, 750), (300, 751), (720, 289)]
)
PROMPT_LENGTHS = st.sampled_from([20, 2499, 2500, 2500, 2501])


def image_ok(width: int, height: int) -> bool:
    return min(width, height) >= 300 and max(width, height) / min(width, height) <= 2.5


def expected(arguments: dict[str, Any], images: list[tuple[int, int]] | None) -> bool:
    """True when the rule table lets the create through, False when it must be refused."""
    mode = arguments["edit_mode"]
    count = len(images or [])
    allowed_counts = {"addition": (1, 2), "swap": (1, 1), "removal": (0, 0)}
    if mode not in allowed_counts:
        return False
    fewest, most = allowed_counts[mode]
    if not fewest <= count <= most:
        return False
    if not all(image_ok(*size) for size in images or []):
        return False
    prompt = arguments["prompt"]
    if len(prompt) > 2500:
        return False
    placeholder = arguments.get("placeholder", OMIT)
    if placeholder is not OMIT and not 1 <= int(str(placeholder)) <= count:
        return False
    if len(arguments.get("negative_prompt", "")) > 2500:
        return False
    if arguments.get("mode", "std") not in ("std", "pro"):
        return False
    if str(arguments.get("duration", "5")) not in ("5", "10"):
        return False
    return bool(arguments.get("model_name", "kling-v1-6") == "kling-v1-6")


def mostly(good: st.SearchStrategy[Any], near: st.SearchStrategy[Any]) -> Any:
    """Good three times in four: a combination must often pass every rule for the sending
    half of the property to be tested."""
    return st.one_of(good, good, good, near)


@st.composite
def creates(draw: st.DrawFn) -> tuple[dict[str, Any], list[tuple[int, int]] | None]:
    mode = draw(mostly(st.sampled_from(["addition", "swap", "removal"]), st.just("Removal")))
    arguments: dict[str, Any] = {"edit_mode": mode}
    count = draw(mostly(st.just({"addition": 1, "swap": 1}.get(mode, 0)), st.integers(0, 3)))
    if mode == "addition" and count == 1:
        count = draw(st.sampled_from([1, 2]))
    images = (
        None
        if count == 0 and draw(st.booleans())
        else [draw(st.one_of(st.just((400, 400)), IMAGES)) for _ in range(count)]
    )
    placeholder = draw(st.sampled_from([OMIT, OMIT, OMIT, 1, 1, 0, 2, 3]))
    prompt = "<<<video_1>>>" + "p" * (draw(PROMPT_LENGTHS) - len("<<<video_1>>>"))
    if placeholder is not OMIT:
        tag = f"<<<image_{placeholder}>>>"
        prompt = tag + prompt[len(tag) :]
        arguments["placeholder"] = placeholder
    arguments["prompt"] = prompt
    optional = {
        "negative_prompt": st.builds(
            lambda n: "n" * n, mostly(st.sampled_from([1, 2500]), st.just(2501))
        ),
        "mode": mostly(st.sampled_from(["std", "pro"]), st.just("fast")),
        "duration": mostly(st.sampled_from(["5", "10", 5, 10]), st.sampled_from(["7", 7])),
        "model_name": mostly(st.just("kling-v1-6"), st.just("kling-v2")),
    }
    for name, values in optional.items():
        if draw(st.booleans()):
            arguments[name] = draw(values)
    return arguments, images


async def create(kind: str, arguments: dict[str, Any], images: Any) -> list[dict[str, Any]]:
    """Make the call; answer the bodies sent (RequestValidationError propagates)."""
    sent: list[dict[str, Any]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(200, json=envelope(task_data()))

    call = {key: value for key, value in arguments.items() if key != "placeholder"}
    if images is not None:
        call["images"] = [png_bytes(*size) for size in images]
    transport = httpx.MockTransport(answer)
    try:
        if kind == "sync":
            with httpx.Client(transport=transport) as http:
                client = KlingEdit(api_key=KEY, base_url=BASE_URL, http_client=http)
                await Api(client)("tasks.create", session_id=SESSION_ID, **call)
        else:
            async with httpx.AsyncClient(transport=transport) as async_http:
                async_client = AsyncKlingEdit(
                    api_key=KEY, base_url=BASE_URL, http_client=async_http
                )
                await Api(async_client)("tasks.create", session_id=SESSION_ID, **call)
    except RequestValidationError:
        assert not sent, "a refused create reached the network"
        raise
    return sent


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(drawn=creates())
def test_each_create_has_the_one_outcome_the_rule_table_gives(
    kind: str, drawn: tuple[dict[str, Any], list[tuple[int, int]] | None]
) -> None:
    arguments, images = drawn
    if not expected(arguments, images):
        with pytest.raises(RequestValidationError):
            asyncio.run(create(kind, arguments, images))
        return
    sent = asyncio.run(create(kind, arguments, images))
    assert len(sent) == 1
    assert sent[0]["prompt"] == arguments["prompt"]
    assert len(sent[0].get("image_list") or []) == len(images or [])


@pytest.mark.parametrize("field", ["negative_prompt", "callback_url", "external_task_id"])
def test_an_empty_optional_string_counts_as_not_given(kind: str, field: str) -> None:
    arguments = {"edit_mode": "removal", "prompt": "Remove it from <<<video_1>>>", field: ""}

    assert len(asyncio.run(create(kind, arguments, None))) == 1
