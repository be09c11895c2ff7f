"""The http(s) URL rule at its edges: the longest URL taken (8192 characters), and what each
refusal says, word for word."""

from __future__ import annotations

import pytest

from kling_edit import RequestValidationError
from kling_edit._rules import check_http_url


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
