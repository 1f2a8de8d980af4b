"""The command's context: the global flags, resolved into amazon_music's Settings on first use, and the client.

Settings and credentials are the library's (amazon_music._config: flags > environment > config file > saved login),
so a script's ``AmazonMusic.from_env()`` acts as the same user as the command. Here they only become exit codes: a bad
setting is a usage error (exit 2), missing credentials an auth error (exit 3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ._exit import CREDENTIALS_SOURCE, CliError, ExitCode

if TYPE_CHECKING:
    from amazon_music import AmazonMusic
    from amazon_music._config import Credentials, Settings

__all__ = ["CliState", "pass_state"]


@dataclass
class CliState:
    flags: dict[str, Any]
    config: Path | None
    verbose: int
    _settings: Settings | None = field(default=None, repr=False)

    def settings(self, **command_flags: Any) -> Settings:
        """The settings; a command's own flags (login's --client-id, ...) take part the first time."""
        if self._settings is None:
            from amazon_music import ConfigurationError
            from amazon_music._config import resolve_settings

            try:
                self._settings = resolve_settings({**self.flags, **command_flags}, config=self.config)
            except ConfigurationError as exc:
                raise CliError(str(exc), ExitCode.USAGE) from None
        return self._settings

    def credentials(self) -> Credentials:
        from amazon_music._config import resolve_credentials

        credentials = resolve_credentials(self.settings())
        CREDENTIALS_SOURCE.set(credentials.source)
        return credentials

    def client(self, credentials: Credentials | None = None) -> AmazonMusic:
        from amazon_music import AmazonMusic
        from amazon_music._config import require_api_key

        settings = self.settings()
        api_key = require_api_key(settings)
        credentials = credentials or self.credentials()
        return AmazonMusic(api_key, auth=credentials.auth, base_url=settings.base_url, max_retries=settings.max_retries)


pass_state = click.make_pass_decorator(CliState)
