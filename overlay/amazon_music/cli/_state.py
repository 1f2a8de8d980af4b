"""What the root command hands its subcommands: the global flags, resolved into Settings on first use."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from amazon_music import AmazonMusic

    from ._settings import Settings

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
            from ._settings import load_settings

            self._settings = load_settings({**self.flags, **command_flags}, config=self.config, verbose=self.verbose)
        return self._settings

    def client(self) -> AmazonMusic:
        from ._session import open_client

        return open_client(self.settings())


pass_state = click.make_pass_decorator(CliState)
