"""The two providers: each one's default host, path layout and the variables holding its keys.

`credentials_for` turns the arguments and environment into `Credentials` (and `Provider.host` into
the host to call); nothing else lives here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Final, Literal

import httpx

from ._auth import AccessKeyCredentials, ApiKeyCredentials, Credentials
from ._errors import KlingEditError, RequestValidationError
from ._rules import check_http_url

__all__ = [
    "PROVIDERS",
    "Provider",
    "ProviderName",
    "credentials_for",
    "provider_named",
]

ProviderName = Literal["cometapi", "kling"]

# The generated operations build CometAPI's paths; Kling's own host serves them without this.
_COMETAPI_PREFIX = "/kling"


class Provider:
    """Where one provider lives and which environment variables hold its credentials.

    The two instances are constants (`PROVIDERS`), compared by identity: a plain slotted class,
    as an attrs class would cost `import kling_edit` ~1 ms to build.
    """

    __slots__ = (
        "access_key_env",
        "api_key_env",
        "base_url_env",
        "default_base_url",
        "keeps_prefix",
        "name",
        "secret_key_env",
    )

    def __init__(
        self,
        *,
        name: ProviderName,
        default_base_url: str,
        base_url_env: str,
        api_key_env: str,
        # Only Kling's own host takes the legacy access key + secret key.
        access_key_env: str | None = None,
        secret_key_env: str | None = None,
        keeps_prefix: bool = True,
    ) -> None:
        self.name: Final = name
        self.default_base_url: Final = default_base_url
        self.base_url_env: Final = base_url_env
        self.api_key_env: Final = api_key_env
        self.access_key_env: Final = access_key_env
        self.secret_key_env: Final = secret_key_env
        self.keeps_prefix: Final = keeps_prefix

    def __repr__(self) -> str:
        return f"Provider(name={self.name!r})"

    def path(self, generated_path: str) -> str:
        """The path this provider serves for a path of the generated operations."""
        return (
            generated_path if self.keeps_prefix else generated_path.removeprefix(_COMETAPI_PREFIX)
        )

    def host(self, base_url: str | None) -> str:
        """The host to call, checked now (not at the first call): `base_url`, else this
        provider's variable, else its default; an unusable one is refused naming the argument
        or the variable."""
        field = "base_url"
        if not base_url:
            base_url, field = os.environ.get(self.base_url_env), self.base_url_env
            if not base_url:
                return self.default_base_url
        try:
            parsed = httpx.URL(base_url) if isinstance(base_url, str) else None
        except httpx.InvalidURL as error:  # an unclosed IPv6 host, a port that is no number
            raise RequestValidationError(field, f"is not a valid URL ({error})") from None
        if parsed is not None and parsed.userinfo:
            # Checked before anything echoes the URL: they would show in reprs and httpx's log.
            raise RequestValidationError(
                field, "must not carry credentials (user:password@): pass the key as api_key"
            )
        return check_http_url(field, base_url).rstrip("/")

    @property
    def key_variables(self) -> tuple[str, ...]:
        """Every environment variable this provider reads a credential from."""
        names = (self.api_key_env, self.access_key_env, self.secret_key_env)
        return tuple(name for name in names if name is not None)

    def has_credentials(self, environ: Mapping[str, str]) -> bool:
        """Whether `environ` holds any credential for this provider."""
        return any(environ.get(name, "").strip() for name in self.key_variables)

    def how_to_authenticate(self) -> str:
        """The arguments and variables that authenticate with this provider, in a sentence."""
        ways = f"api_key=... (or {self.api_key_env})"
        if self.access_key_env is not None:
            ways += (
                f", or access_key=... and secret_key=... (or {self.access_key_env} and"
                f" {self.secret_key_env})"
            )
        return f"provider={self.name!r} reads {ways}"


PROVIDERS: Mapping[str, Provider] = {
    "cometapi": Provider(
        name="cometapi",
        default_base_url="https://api.cometapi.com",
        base_url_env="COMETAPI_BASE_URL",
        api_key_env="COMETAPI_KEY",
    ),
    "kling": Provider(
        name="kling",
        default_base_url="https://api-singapore.klingai.com",
        base_url_env="KLING_BASE_URL",
        api_key_env="KLING_API_KEY",
        access_key_env="KLING_ACCESS_KEY",
        secret_key_env="KLING_SECRET_KEY",
        keeps_prefix=False,
    ),
}


def provider_named(name: object) -> Provider:
    """The provider called `name`, or an error listing the known ones."""
    provider = PROVIDERS.get(name) if isinstance(name, str) else None
    if provider is None:
        known = " or ".join(repr(known) for known in PROVIDERS)
        raise RequestValidationError("provider", f"must be {known}, got {name!r}")
    return provider


def _given(argument: str | None, argument_name: str, env: str | None) -> tuple[str, str] | None:
    """`(value, the name to blame)` from the argument, else the variable; None when neither.

    Spaces and line ends around a key are dropped (a pasted or `echo`ed key carries them); a
    control character inside it is refused later, naming the same argument or variable.
    """
    if argument is not None:
        if not isinstance(argument, str):
            raise RequestValidationError(
                argument_name, f"must be a string, not {type(argument).__name__}"
            )
        return (argument.strip(), argument_name) if argument.strip() else None
    value = os.environ.get(env, "").strip() if env is not None else ""
    return (value, env) if value and env is not None else None


def credentials_for(
    provider: Provider, api_key: str | None, access_key: str | None, secret_key: str | None
) -> Credentials:
    """The credentials a client of `provider` sends: arguments first, then the environment.

    An API key wins over access keys from the same source; an access key needs its secret key.
    """
    if provider.access_key_env is None and (access_key is not None or secret_key is not None):
        raise RequestValidationError(
            "access_key", f"provider={provider.name!r} takes api_key only; use provider='kling'"
        )
    if api_key is not None and (access_key is not None or secret_key is not None):
        raise RequestValidationError(
            "api_key", "pass api_key or access_key and secret_key, not both"
        )
    key = _given(api_key, "api_key", provider.api_key_env)
    pair_given = access_key is not None or secret_key is not None
    if key is not None and (api_key is not None or not pair_given):
        return ApiKeyCredentials(key[0], variable=key[1])
    access = _given(access_key, "access_key", provider.access_key_env)
    secret = _given(secret_key, "secret_key", provider.secret_key_env)
    if access is not None and secret is not None:
        return AccessKeyCredentials(
            access[0], secret[0], access_key_variable=access[1], secret_key_variable=secret[1]
        )
    if access is not None or secret is not None:
        name, variable = (
            ("secret_key", provider.secret_key_env)
            if secret is None
            else ("access_key", provider.access_key_env)
        )
        raise RequestValidationError(name, f"is missing: pass it (or set {variable}) as well")
    others = "; ".join(
        other.how_to_authenticate() for other in PROVIDERS.values() if other is not provider
    )
    raise KlingEditError(
        f"no credentials: {provider.how_to_authenticate()} ({others}); to try the client"
        " offline, use KlingEdit.simulated()"
    )
