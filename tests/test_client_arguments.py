"""A client built with an argument of the wrong type or a malformed host fails at once, naming it.

Each case raised a foreign exception before: an `AttributeError` when the key was no string, and
an `httpx.InvalidURL` from the first call (not at construction) for an unparseable `base_url`.
"""

from __future__ import annotations

from typing import Any

import pytest

from kling_edit import AsyncKlingEdit, KlingEdit, RequestValidationError

CLIENTS = [KlingEdit, AsyncKlingEdit]


@pytest.mark.parametrize("client_class", CLIENTS)
@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"api_key": 5}, "api_key"),
        ({"api_key": b"key"}, "api_key"),
        ({"provider": "kling", "access_key": 5, "secret_key": "sk"}, "access_key"),
        ({"provider": "kling", "access_key": "ak", "secret_key": ["sk"]}, "secret_key"),
    ],
)
def test_a_key_that_is_no_string_is_named(
    client_class: Any, arguments: dict[str, Any], field: str
) -> None:
    with pytest.raises(RequestValidationError) as caught:
        client_class(**arguments)
    assert caught.value.field == field


@pytest.mark.parametrize("client_class", CLIENTS)
@pytest.mark.parametrize(
    "base_url", ["http://[::1", "http://127.0.0.1:port", "ftp://example.com", "example.com", 5]
)
def test_a_malformed_base_url_is_refused_when_the_client_is_built(
    client_class: Any, base_url: Any
) -> None:
    with pytest.raises(RequestValidationError) as caught:
        client_class("key", base_url=base_url)
    assert caught.value.field == "base_url"


def test_a_malformed_base_url_from_the_environment_names_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COMETAPI_BASE_URL", "http://[::1")
    with pytest.raises(RequestValidationError) as caught:
        KlingEdit("key")
    assert caught.value.field == "COMETAPI_BASE_URL"


def test_a_good_base_url_keeps_its_path_without_the_trailing_slash() -> None:
    assert KlingEdit("key", base_url="HTTPS://proxy.test/api/").base_url == "https://proxy.test/api"


@pytest.mark.parametrize("client_class", CLIENTS)
def test_a_base_url_with_credentials_is_refused_without_echoing_them(client_class: Any) -> None:
    """They would show in the client's repr and httpx's request log: keys go in api_key."""
    with pytest.raises(RequestValidationError) as caught:
        client_class("key", base_url="https://user:PASSWORD-in-url@proxy.test")
    assert caught.value.field == "base_url"
    assert "PASSWORD-in-url" not in str(caught.value)
