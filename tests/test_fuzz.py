"""Arbitrary arguments to every public method of both clients.

Each call either raises RequestValidationError before anything is sent, or sends requests that
the bundled spec allows and that the simulator answers with success or a documented refusal
(never a 5xx); the only errors that may follow a request are the documented API and task errors.

The bugs this found are pinned as plain cases at the bottom (test_edge_case), each the
smallest input that showed one.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import enum
import json
import operator
import re
import struct
import tempfile
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from types import SimpleNamespace, TracebackType
from typing import Any

import attrs
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kling_edit import (
    APIError,
    APIResponseValidationError,
    APITimeoutError,
    DownloadError,
    PollSchedule,
    RequestValidationError,
    ServerError,
    Session,
    Task,
    TaskFailedError,
    WaitTimeoutError,
)
from kling_edit.testing import SAMPLE_IMAGE
from proof_helpers import (
    KINDS,
    PROMPT,
    VIDEO_URL,
    check_error_code,
    close,
    invoke,
    marked_session,
    over,
    simulator,
    sized,
)
from spec_helpers import ROUTES, assert_valid_request, operation

pytestmark = pytest.mark.filterwarnings("ignore::kling_edit.PromptWarning")

# What a call may raise once it has sent something: documented refusals and task outcomes. A
# ServerError would mean a 5xx; APIResponseValidationError that the wrapper misread an answer.
AFTER_SENDING = (APIError, DownloadError, TaskFailedError, WaitTimeoutError)
NOT_AFTER_SENDING = (APIResponseValidationError, ServerError)
ROUTE_PATTERNS = [
    (method.upper(), re.compile(re.sub(r"\{[^}]+\}", "[^/]+", path)), path)
    for method, path, _ in ROUTES
]
# How much of an iter_all to take: the task list grows with every create of the run.
ITEMS_PER_ITERATION = 5


class Ref(enum.Enum):
    """Stands for a live object of the harness in a strategy or an edge case."""

    SESSION = "session"
    SESSION_ID = "session id"
    DONE_TASK = "succeeded task"
    FAILED_TASK = "failed task"
    TASK_ID = "task id"
    EXTERNAL_ID = "external id"
    RESULT_URL = "result url"
    FOLDER = "folder"
    RESULT_FILE = "a file in the folder"


class Harness:
    """One client of `kind` on a simulator, with live sessions and tasks, recording every
    request it sends."""

    def __init__(self, kind: str) -> None:
        self.sim = simulator(submit_seconds=0.0, job_seconds=0.0)
        self.sent: list[tuple[httpx.Request, httpx.Response]] = []
        # A failed setup undoes what it entered, the chdir first of all.
        with contextlib.ExitStack() as stack:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kling-fuzz-")))
            # A relative path in a fuzzed argument (a download's dest) lands in the folder.
            stack.enter_context(contextlib.chdir(folder))
            self._runner = stack.enter_context(asyncio.Runner())
            self._inner = self.sim.transport()
            self.client = over(
                kind,
                self._answer,
                base_url=self.sim.base_url,
                poll_schedule=FAST_POLL,
            )
            session: Session = self._runner.run(marked_session(self.client))
            done: Task = self.call(
                "tasks.remove", session, prompt=PROMPT, external_task_id="fuzz-1"
            )
            failed: Task = self.call("tasks.remove", session, prompt=f"SIMULATE_FAILURE {PROMPT}")
            done = self.call("tasks.wait", done, timeout=5)
            self.refs: dict[Ref, Any] = {
                Ref.SESSION: session,
                Ref.SESSION_ID: session.session_id,
                Ref.DONE_TASK: done,
                Ref.FAILED_TASK: failed,
                Ref.TASK_ID: done.task_id,
                Ref.EXTERNAL_ID: "fuzz-1",
                Ref.RESULT_URL: done.video_url,
                Ref.FOLDER: folder,
                Ref.RESULT_FILE: str(folder / "result.mp4"),
            }
            self._stack = stack.pop_all()

    def _answer(self, request: httpx.Request) -> httpx.Response:
        answer = self._inner.handle_request(request)
        # Read here: the simulator streams files synchronously, which an AsyncClient cannot.
        response = httpx.Response(answer.status_code, headers=answer.headers, content=answer.read())
        self.sent.append((request, response))
        return response

    def resolve(self, value: Any) -> Any:
        return self.refs[value] if isinstance(value, Ref) else value

    def call(self, name: str, /, *args: Any, **kwargs: Any) -> Any:
        args = tuple(self.resolve(arg) for arg in args)
        kwargs = {key: self.resolve(value) for key, value in kwargs.items()}
        return self._runner.run(self._consume(invoke(self.client, name, *args, **kwargs)))

    @staticmethod
    async def _consume(call: Any) -> Any:
        result = await call
        if isinstance(result, Iterator):
            return [item for _, item in zip(range(ITEMS_PER_ITERATION), result, strict=False)]
        if isinstance(result, AsyncIterator):
            items = []
            async for item in result:
                items.append(item)
                if len(items) == ITEMS_PER_ITERATION:
                    break
            return items
        return result

    def outcome(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> object:
        """The result of one call, or the exception it raised; `sent` holds its requests."""
        self.sent.clear()
        try:
            return self.call(name, *args, **kwargs)
        except Exception as error:  # judged by check(), whatever it is
            return error

    def check(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> object:
        """Make the call and hold it to the property; answer its outcome."""
        outcome = self.outcome(name, args, kwargs)
        if isinstance(outcome, RequestValidationError):
            assert not self.sent, f"{outcome!r} came after sending {self.sent[0][0]!r}"
            return outcome
        if isinstance(outcome, WaitTimeoutError | APITimeoutError) and not self.sent:
            # A timeout too short for one request to answer in time sends none (no request may
            # end after the call's deadline): the call times out honestly without asking.
            return outcome
        if isinstance(outcome, Exception):
            assert isinstance(outcome, AFTER_SENDING), f"{name} raised {outcome!r}"
            assert not isinstance(outcome, NOT_AFTER_SENDING), f"{name} raised {outcome!r}"
            assert self.sent, f"{name} raised {outcome!r} before sending anything"
        for request, response in self.sent:
            check_exchange(request, response)
        return outcome

    def __enter__(self) -> Harness:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with self._stack:
            self._runner.run(close(self.client))


def check_exchange(request: httpx.Request, response: httpx.Response) -> None:
    # As sent: a "/" inside a path parameter stays "%2F".
    path = request.url.raw_path.decode("ascii").split("?", 1)[0]
    assert response.status_code < 500, f"{request.method} {path}: {response.text[:300]}"
    if path.startswith("/files/"):
        return  # a result download: plain bytes, no envelope
    template = next(
        (
            spec
            for method, route, spec in ROUTE_PATTERNS
            if method == request.method and route.fullmatch(path)
        ),
        None,
    )
    assert template is not None, f"{request.method} {path} is no route of the spec"
    if request.method == "POST":
        assert_valid_request(template, json.loads(request.content))
    for parameter in operation("get", template)["parameters"] if request.method == "GET" else []:
        raw = request.url.params.get(parameter["name"])
        if parameter["in"] == "query" and raw is not None:
            schema = parameter["schema"]
            assert raw.isdigit(), raw
            assert schema["minimum"] <= int(raw) <= schema["maximum"], raw
    body = response.json()
    if response.status_code != 200 or body.get("code") != 0:
        check_error_code(response.status_code, body)


# ---------------------------------------------------------------------------------------------
# Strategies: each argument has good values (the call goes through) and bad ones; a call spoils
# any subset of its arguments. All bad at once would almost never get past the first check, and
# the sending half of the property would go untested.

OMIT = object()  # the argument is not passed at all
HUGE_INT = 10**400  # beyond float range


HUGE_TEXT = st.builds(
    operator.mul, st.characters(codec="utf-8"), st.sampled_from([2500, 2501, 100_000])
)
NOT_TEXT = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.just(HUGE_INT),
    st.floats(),
    st.lists(st.integers(-3, 3), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
    st.tuples(st.floats(), st.floats()),
    st.builds(object),
)
JUNK = NOT_TEXT | st.text() | HUGE_TEXT | st.binary(max_size=32)


@attrs.frozen
class Arg:
    good: st.SearchStrategy[Any]
    bad: st.SearchStrategy[Any]
    positional: bool = False
    optional: bool = False  # when not spoiled, passed or left out at random


def arg(
    good: st.SearchStrategy[Any],
    *bad: st.SearchStrategy[Any],
    positional: bool = False,
    optional: bool = False,
) -> Arg:
    return Arg(good, st.one_of(*bad, JUNK) if bad else JUNK, positional, optional)


def refs(*choices: Ref) -> st.SearchStrategy[Ref]:
    return st.sampled_from(choices)


Call = tuple[tuple[Any, ...], dict[str, Any]]


@st.composite
def calls(draw: st.DrawFn, signature: Mapping[str, Arg]) -> Call:
    spoiled = draw(st.sets(st.sampled_from(sorted(signature)), max_size=len(signature)))
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for name, spec in signature.items():
        if name in spoiled:
            value = draw(spec.bad)
        elif spec.optional and not draw(st.booleans()):
            value = OMIT
        else:
            value = draw(spec.good)
        if spec.positional:
            args.append(value)
        elif value is not OMIT:
            kwargs[name] = value
    return tuple(args), kwargs


UNKNOWN_IDS = st.text(min_size=1) | HUGE_TEXT | st.sampled_from([" ", ".", "..", "a/b", "?#"])
SESSION = arg(refs(Ref.SESSION, Ref.SESSION_ID), UNKNOWN_IDS, positional=True)
TASK = arg(
    refs(Ref.DONE_TASK, Ref.FAILED_TASK, Ref.TASK_ID, Ref.EXTERNAL_ID), UNKNOWN_IDS, positional=True
)
URL_TEXT = st.text(st.characters())  # control characters and lone surrogates included
BAD_URLS = st.builds(
    operator.add,
    st.sampled_from(["http://", "https://", "HTTPS://", "http://[", "ftp://", "", "http:/"]),
    URL_TEXT,
)
VIDEO_URLS = st.sampled_from(
    [VIDEO_URL, "https://media.test/clip.MOV?sig=1", "https://media.test/clip"]
)

GOOD_COORDINATE = st.floats(0, 1) | st.integers(0, 1)
GOOD_POINT = (
    st.tuples(GOOD_COORDINATE, GOOD_COORDINATE)
    | st.lists(GOOD_COORDINATE, min_size=2, max_size=2)
    | st.fixed_dictionaries({"x": GOOD_COORDINATE, "y": GOOD_COORDINATE})
    | st.builds(SimpleNamespace, x=GOOD_COORDINATE, y=GOOD_COORDINATE)
)
BAD_COORDINATE = st.floats(-1, 2).filter(lambda x: not 0 <= x <= 1) | JUNK
BAD_POINT = st.one_of(
    st.tuples(BAD_COORDINATE, GOOD_COORDINATE),
    st.fixed_dictionaries({"x": GOOD_COORDINATE, "y": BAD_COORDINATE}),
    st.fixed_dictionaries({"x": GOOD_COORDINATE}),
    st.lists(GOOD_COORDINATE, max_size=3).filter(lambda coords: len(coords) != 2),
    JUNK,
)
POINTS = arg(
    st.lists(GOOD_POINT, min_size=1, max_size=4),
    st.lists(GOOD_POINT, min_size=11, max_size=12) | st.just([]),
    st.builds(lambda good, bad: [*good, bad], st.lists(GOOD_POINT, max_size=2), BAD_POINT),
)
# A session marks at most 10 frames: the good ones are few, so a long run keeps sending.
FRAME = arg(st.integers(0, 3), st.integers(), st.just(10**30), st.integers(-3, -1))


def png_header(width: int, height: int) -> bytes:
    """The first bytes of a PNG: all that the size rules read."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + b"\x00" * 4


def jpeg_header(width: int, height: int) -> bytes:
    frame = struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8\xff\xc0" + frame + b"\xff\xd9"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def data_uri(media_type: str, data: bytes) -> str:
    return f"data:{media_type};base64,{b64(data)}"


SIDE = st.integers(300, 700)  # any two within the 2.5 aspect limit
GOOD_IMAGE_BYTES = (
    st.sampled_from([SAMPLE_IMAGE.read_bytes()])
    | st.builds(png_header, SIDE, SIDE)
    | st.builds(jpeg_header, SIDE, SIDE)
)
BAD_IMAGE_BYTES = st.one_of(
    st.builds(png_header, st.integers(0, 299), SIDE),
    st.builds(jpeg_header, SIDE, st.integers(1751, 5000)),
    st.binary(max_size=64),
    st.just(b"\xff\xd8\xff\xc0\x00"),
)
GOOD_IMAGE = st.one_of(
    GOOD_IMAGE_BYTES,
    GOOD_IMAGE_BYTES.map(b64),
    st.builds(data_uri, st.sampled_from(["image/png", "image/jpeg"]), GOOD_IMAGE_BYTES),
    st.sampled_from(["https://images.test/object.png", SAMPLE_IMAGE, str(SAMPLE_IMAGE)]),
)
BAD_IMAGE = st.one_of(
    BAD_IMAGE_BYTES,
    BAD_IMAGE_BYTES.map(b64),
    st.builds(data_uri, st.sampled_from(["text/plain", "image/gif", ""]), GOOD_IMAGE_BYTES),
    st.sampled_from(["http://", "https:// x", "", "data:image/png,abc", "A" * 70]),
    # A missing file, its name possibly holding a NUL byte.
    st.text(st.characters(codec="utf-8")).map(lambda name: Path("/nonexistent") / name),
    JUNK,
)
BAD_IMAGES = st.one_of(
    JUNK,
    st.just([]),
    st.lists(GOOD_IMAGE, min_size=3, max_size=3),
    st.builds(lambda good, bad: [*good, bad], st.lists(GOOD_IMAGE, max_size=1), BAD_IMAGE),
    st.text(),
    st.binary(max_size=8),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
PROMPT_WITH_IMAGE = "Use <<<image_1>>> in <<<video_1>>>"
BAD_PROMPTS = st.one_of(
    st.builds(lambda text: f"{text} <<<image_3>>>", st.text()),
    st.just("<<<image_0>>> <<<video_1>>>"),
    st.just(""),
    HUGE_TEXT,
)
HEADER_TEXT = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=12)
REQUEST_OPTIONS = {
    "timeout": Arg(
        st.floats(0.5, 60),
        (st.sampled_from([0, -1, float("inf")]) | JUNK),
        optional=True,
    ),
    "max_retries": arg(st.integers(0, 2), st.integers(-3, -1), optional=True),
    "extra_headers": arg(
        st.dictionaries(HEADER_TEXT.map(lambda name: f"X-{name}"), HEADER_TEXT, max_size=2),
        st.dictionaries(st.text(max_size=4), st.text(max_size=4) | JUNK, min_size=1, max_size=2),
        optional=True,
    ),
}
JSON_SAFE = st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=8)
CREATE_OPTIONS = {
    "negative_prompt": arg(st.text(max_size=50), HUGE_TEXT, optional=True),
    "mode": arg(st.sampled_from(["std", "pro"]), st.just("fast"), optional=True),
    "duration": arg(
        st.sampled_from([5, "5"]), st.sampled_from([10, "10", 5.0, 7, "5s", True]), optional=True
    ),
    "callback_url": arg(st.just("https://hooks.test/kling"), BAD_URLS, optional=True),
    "external_task_id": arg(st.uuids().map(str), st.just(""), st.just("   "), optional=True),
    "model_name": arg(st.just("kling-v1-6"), st.just("kling-v2"), optional=True),
    "extra_body": Arg(
        st.fixed_dictionaries({"future_field": st.fixed_dictionaries({"enabled": st.booleans()})}),
        st.one_of(
            # The escape hatch may not override or bypass a field the spec has.
            st.dictionaries(
                st.sampled_from(["prompt", "session_id", "image_list", "watermark_info"]),
                JSON_SAFE,
                min_size=1,
            ),
            # Nor carry what JSON cannot.
            st.dictionaries(st.just("x"), JUNK, min_size=1),
            JUNK,
        ),
        optional=True,
    ),
}
SELECTION = {"session": SESSION, "frame_index": FRAME, "points": POINTS}
CREATE = {**CREATE_OPTIONS, **REQUEST_OPTIONS}
PAGE_SIZE = arg(st.integers(1, 500), st.integers(-2, 0), st.integers(501, 10**6), optional=True)
DOWNLOADABLE = arg(
    refs(Ref.DONE_TASK, Ref.RESULT_URL),
    refs(Ref.FAILED_TASK),
    st.builds(operator.add, st.just("https://kling.test/files/results/"), URL_TEXT),
    UNKNOWN_IDS,
    positional=True,
)
MISSING = Path("/nonexistent-kling-folder")
FAST_POLL = PollSchedule(first=0.001, maximum=0.002)

SIGNATURES: dict[str, Mapping[str, Arg]] = {
    "sessions.init": {
        "video_url": arg(VIDEO_URLS, BAD_URLS, st.just(OMIT)),
        "video_id": Arg(st.just(OMIT), st.text(min_size=1) | JUNK),
        **REQUEST_OPTIONS,
    },
    "sessions.add_points": {**SELECTION, **REQUEST_OPTIONS},
    "sessions.delete_points": {**SELECTION, **REQUEST_OPTIONS},
    "sessions.clear": {"session": SESSION, **REQUEST_OPTIONS},
    "sessions.preview": {"session": SESSION, **REQUEST_OPTIONS},
    "tasks.create": {
        "session_id": attrs.evolve(SESSION, positional=False),
        "edit_mode": arg(st.just("removal"), st.sampled_from(["addition", "swap", "Removal"])),
        "prompt": arg(st.just(PROMPT), BAD_PROMPTS),
        "images": Arg(st.just(OMIT), st.lists(GOOD_IMAGE, min_size=1, max_size=2) | BAD_IMAGES),
        **CREATE,
    },
    "tasks.remove": {"session": SESSION, "prompt": arg(st.just(PROMPT), BAD_PROMPTS), **CREATE},
    "tasks.add": {
        "session": SESSION,
        "prompt": arg(st.just(PROMPT_WITH_IMAGE), BAD_PROMPTS),
        "images": Arg(st.lists(GOOD_IMAGE, min_size=1, max_size=2), BAD_IMAGES),
        **CREATE,
    },
    "tasks.swap": {
        "session": SESSION,
        "prompt": arg(st.just(PROMPT_WITH_IMAGE), BAD_PROMPTS),
        "image": arg(GOOD_IMAGE, BAD_IMAGE),
        **CREATE,
    },
    "tasks.get": {"task": TASK, **REQUEST_OPTIONS},
    "tasks.get_by_external_id": {
        "external_task_id": arg(
            refs(Ref.EXTERNAL_ID), UNKNOWN_IDS, refs(Ref.DONE_TASK), positional=True
        ),
        **REQUEST_OPTIONS,
    },
    "tasks.list": {
        "page": arg(st.integers(1, 3), st.integers(-2, 0), st.integers(1001, 10**6), optional=True),
        "page_size": PAGE_SIZE,
        **REQUEST_OPTIONS,
    },
    "tasks.iter_all": {"page_size": PAGE_SIZE, **REQUEST_OPTIONS},
    "tasks.wait": {
        "task": TASK,
        "timeout": Arg(
            st.floats(0.001, 0.05),
            (st.sampled_from([0, -1, float("nan")]) | JUNK),
        ),
        "on_progress": arg(st.sampled_from([None, id, lambda task: None]), optional=True),
        "poll": arg(
            st.sampled_from([None, PollSchedule(first=0.001, maximum=0.002)]), optional=True
        ),
        "extra_headers": arg(st.sampled_from([None, {"X-Trace": "fuzz"}]), optional=True),
    },
    "tasks.download": {
        "task": DOWNLOADABLE,
        "dest": Arg(
            refs(Ref.FOLDER, Ref.RESULT_FILE),
            # No text junk: a relative name would be written into the working directory.
            st.sampled_from([MISSING, str(MISSING / "result.mp4")]) | NOT_TEXT,
            positional=True,
        ),
        "max_bytes": arg(
            st.none() | st.integers(10**6, 10**9), st.integers(-1, 1000), optional=True
        ),
        "index": arg(st.just(0), st.integers(-2, 2), optional=True),
        "timeout": arg(st.none() | st.floats(0.5, 60), optional=True),
    },
}


@pytest.mark.parametrize("examples", sized(50, 10_000))
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("method", sorted(SIGNATURES))
def test_call_is_refused_before_sending_or_sent_as_documented(
    method: str, kind: str, examples: int
) -> None:
    with Harness(kind) as harness:

        @settings(
            max_examples=examples,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        @given(arguments=calls(SIGNATURES[method]))
        def run(arguments: Call) -> None:
            harness.check(method, *arguments)

        run()


# ---------------------------------------------------------------------------------------------
# Edge cases: the smallest input that showed each bug this suite found, kept as regressions.


def case(name: str, method: str, *args: Any, refused: bool = False, **kwargs: Any) -> Any:
    """`refused`: not only held to the property, but refused before sending, as the same
    mistake is everywhere else (a bool for an int, a value of the wrong type)."""
    return pytest.param(method, args, kwargs, refused, id=name.replace(" ", "-"))


EDGE_CASES = [
    case("lone surrogate", "sessions.clear", "\ud800"),
    case("max_retries not an int", "tasks.get", "no-such-task", max_retries="2"),
    case("extra_headers not a mapping", "tasks.get", Ref.TASK_ID, extra_headers=5),
    case("extra_headers not ascii", "tasks.get", Ref.TASK_ID, extra_headers={"X-Note": "日本"}),
    case("timeout not a number", "tasks.get", Ref.TASK_ID, timeout="abc", refused=True),
    case(
        "timeout a huge int",
        "tasks.list",
        timeout=HUGE_INT,
    ),
    case(
        "wait timeout a huge int",
        "tasks.wait",
        Ref.DONE_TASK,
        timeout=HUGE_INT,
    ),
    case("on_progress not callable", "tasks.wait", Ref.DONE_TASK, on_progress=5),
    case("poll not a PollSchedule", "tasks.wait", Ref.DONE_TASK, poll=5),
    case("download index not an int", "tasks.download", Ref.DONE_TASK, Ref.FOLDER, index="0"),
    case(
        "download max_bytes bool",
        "tasks.download",
        Ref.DONE_TASK,
        Ref.FOLDER,
        max_bytes=True,
        refused=True,
    ),
    case("download dest not a path", "tasks.download", Ref.DONE_TASK, 5),
    case(
        "download dest with a NUL byte",
        "tasks.download",
        Ref.DONE_TASK,
        "result\x00.mp4",
    ),
    case(
        "coordinate beyond float range",
        "sessions.add_points",
        Ref.SESSION,
        frame_index=0,
        points=[(HUGE_INT, 0.5)],
    ),
    case(
        "images not iterable",
        "tasks.add",
        Ref.SESSION,
        prompt="Add <<<image_1>>> to <<<video_1>>>",
        images=5,
    ),
    case(
        "image path with a NUL byte",
        "tasks.swap",
        Ref.SESSION,
        prompt="Use <<<image_1>>> in <<<video_1>>>",
        image=Path("object\x00.png"),
    ),
    case("extra_body not a mapping", "tasks.remove", Ref.SESSION, prompt=PROMPT, extra_body=5),
    case(
        "extra_body not JSON",
        "tasks.remove",
        Ref.SESSION,
        prompt=PROMPT,
        extra_body={"future_field": float("nan")},
    ),
    case(
        "download URL httpx cannot parse",
        "tasks.download",
        "https://kling.test/files/results/\x1f.mp4",
        Ref.FOLDER,
    ),
    case("task id past the URL limit", "tasks.get", "0" * 100_000),
    case("upper-case URL scheme", "sessions.init", video_url="HTTPS://media.test/clip.mp4"),
    case("dot-segment task id", "tasks.get", "."),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("method", "args", "kwargs", "refused"), EDGE_CASES)
def test_edge_case(
    method: str, args: tuple[Any, ...], kwargs: dict[str, Any], refused: bool, kind: str
) -> None:
    with Harness(kind) as harness:
        outcome = harness.check(method, args, kwargs)
    if refused:
        assert isinstance(outcome, RequestValidationError), repr(outcome)
