"""amazon_music: a typed client for the Amazon Music Web API (User v1), sync and async.

    from amazon_music import AmazonMusic

    with AmazonMusic.from_env() as music:
        print(music.me().name)
        for follower in music.followers():
            print(follower.id)

The public names live in small private modules and are re-exported here; the models the methods return are the
generated ones (amazon_music_generated.models).
"""

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
