"""amazon_music: a typed client for the Amazon Music Web API (User v1), sync and async.

    from amazon_music import AmazonMusic

    with AmazonMusic.from_env() as music:
        print(music.me().name)
        for follower in music.followers():
            print(follower.id)

The public names live in small private modules and are re-exported here, each imported on first use: ``import
amazon_music`` itself loads nothing (so the pytest plugin costs a test run nothing until a fixture is used), ``from
amazon_music import AmazonMusic`` loads the client. The models the methods return are the generated ones
(amazon_music_generated.models, also under amazon_music.models).
"""

# private names only: everything public here is in __all__
import importlib as _importlib
import typing as _typing

if _typing.TYPE_CHECKING:
    from ._auth import (
        LWA_AUTHORIZE_URLS,
        LWA_TOKEN_URLS,
        PKCE,
        LWAAuth,
        StaticToken,
        async_exchange_code,
        build_authorize_url,
        exchange_code,
        generate_pkce,
    )
    from ._client import AmazonMusic, AsyncAmazonMusic
    from ._config import DEFAULT_BASE_URL
    from ._errors import (
        AmazonMusicError,
        APIConnectionError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ConfigurationError,
        MalformedResponseError,
        NotFoundError,
        PermissionDeniedError,
        RateLimitError,
        ServerError,
        TokenError,
        UnprocessableEntityError,
        ValidationError,
    )
    from ._pagination import AsyncPaginator, Paginator
    from ._tokens import FileTokenStore, InsecureTokenFileWarning, MemoryTokenStore, TokenSet, TokenStore
    from ._transport import AsyncRetryTransport, RetryDecision, RetryPolicy, RetryTransport, full_jitter

__version__ = "0.1.0"

# Which private module defines each public name (imported on first use, see __getattr__).
_EXPORTS: dict[str, tuple[str, ...]] = {
    "._auth": (
        "LWA_AUTHORIZE_URLS",
        "LWA_TOKEN_URLS",
        "PKCE",
        "LWAAuth",
        "StaticToken",
        "async_exchange_code",
        "build_authorize_url",
        "exchange_code",
        "generate_pkce",
    ),
    "._client": (
        "AmazonMusic",
        "AsyncAmazonMusic",
    ),
    "._config": ("DEFAULT_BASE_URL",),
    "._errors": (
        "AmazonMusicError",
        "APIConnectionError",
        "APIStatusError",
        "APITimeoutError",
        "AuthenticationError",
        "BadRequestError",
        "ConfigurationError",
        "MalformedResponseError",
        "NotFoundError",
        "PermissionDeniedError",
        "RateLimitError",
        "ServerError",
        "TokenError",
        "UnprocessableEntityError",
        "ValidationError",
    ),
    "._pagination": (
        "AsyncPaginator",
        "Paginator",
    ),
    "._tokens": (
        "FileTokenStore",
        "InsecureTokenFileWarning",
        "MemoryTokenStore",
        "TokenSet",
        "TokenStore",
    ),
    "._transport": (
        "AsyncRetryTransport",
        "RetryDecision",
        "RetryPolicy",
        "RetryTransport",
        "full_jitter",
    ),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = [
    "DEFAULT_BASE_URL",
    "LWA_AUTHORIZE_URLS",
    "LWA_TOKEN_URLS",
    "PKCE",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AmazonMusic",
    "AmazonMusicError",
    "AsyncAmazonMusic",
    "AsyncPaginator",
    "AsyncRetryTransport",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "FileTokenStore",
    "InsecureTokenFileWarning",
    "LWAAuth",
    "MalformedResponseError",
    "MemoryTokenStore",
    "NotFoundError",
    "Paginator",
    "PermissionDeniedError",
    "RateLimitError",
    "RetryDecision",
    "RetryPolicy",
    "RetryTransport",
    "ServerError",
    "StaticToken",
    "TokenError",
    "TokenSet",
    "TokenStore",
    "UnprocessableEntityError",
    "ValidationError",
    "async_exchange_code",
    "build_authorize_url",
    "exchange_code",
    "full_jitter",
    "generate_pkce",
]


def __getattr__(name: str) -> _typing.Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(module, __name__), name)
    globals()[name] = value  # the next access is a plain module attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
