"""Rules at edges mutation testing showed unseen: the longest URL taken (8192 characters), the
ids that are path segments, durations that only print like one; each refusal word for word."""

from __future__ import annotations

import pytest

from kling_edit import RequestValidationError
from kling_edit._rules import check_duration, check_http_url, check_id


def _url(length: int) -> str:
    start, end = "https://cdn.test/", ".mp4"
    return start + "a" * (length - len(start) - len(end)) + end


def test_a_url_of_8192_characters_is_taken() -> None:
    assert check_http_url("video_url", _url(8192)) == _url(8192)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (_url(8193), "video_url: must be at most 8192 characters, got 8193"),
        (123, "video_url: must be a string, not int"),
        (
            "https://cdn.test/a clip " + "b" * 100,
            "video_url: must be an http(s) URL without spaces, got "
            + repr(("https://cdn.test/a clip " + "b" * 100)[:80]),
        ),
    ],
    ids=["8193-characters", "not-a-string", "with-a-space"],
)
def test_a_refused_url_is_named_with_its_rule(value: object, message: str) -> None:
    with pytest.raises(RequestValidationError) as caught:
        check_http_url("video_url", value)

    assert str(caught.value) == message


@pytest.mark.parametrize("value", [".", "..", " . "])
def test_a_path_segment_is_no_id(value: str) -> None:
    with pytest.raises(RequestValidationError) as caught:
        check_id("task_id", value)

    assert str(caught.value) == f"task_id: {value!r} is not an id"


class PrintsAsFive:
    def __str__(self) -> str:
        return "5"


@pytest.mark.parametrize("value", [PrintsAsFive(), 5.0, True])
def test_a_duration_is_an_int_or_a_string_not_what_prints_like_one(value: object) -> None:
    with pytest.raises(RequestValidationError) as caught:
        check_duration(value)

    assert str(caught.value) == (
        f"duration: must be 5 or 10 (seconds, a number or a string); got {value!r}"
    )
