"""What a multiprocessing pool's worker runs in the parallel-refresh test: a script reusing the CLI's saved login."""

from __future__ import annotations

from amazon_music import AmazonMusic


def whoami(_: int) -> str:
    """The current user's ID, through the login `amazon-music login` saved (the one documented call)."""
    with AmazonMusic.from_env() as music:
        return music.me().id
