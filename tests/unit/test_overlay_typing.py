"""What a mypy --strict user sees: a sync listing is only iterable, an async one only async-iterable (issue 13.4)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SNIPPET = textwrap.dedent(
    """
    from amazon_music import AmazonMusic, AsyncAmazonMusic, AsyncPaginator, Paginator
    from amazon_music.models import FollowersConnection, PodcastShow, User


    def sync_walk(client: AmazonMusic) -> list[str]:
        shows: list[PodcastShow] = list(client.followed_podcast_shows())
        followers: Paginator[User, FollowersConnection] = client.followers(limit=5)
        return [show.id for show in shows] + [user.id for user in followers]


    async def async_walk(client: AsyncAmazonMusic) -> list[str]:
        followers: AsyncPaginator[User, FollowersConnection] = client.followers(max_items=3)
        return [user.id async for user in followers]


    async def mixed_up(client: AsyncAmazonMusic, sync_client: AmazonMusic) -> None:
        for show in client.followed_podcast_shows():  # MIX-1
            print(show)
        async for user in sync_client.followers():  # MIX-2
            print(user)
    """
)


def test_mypy_strict_catches_a_sync_async_mix_up(tmp_path: Path) -> None:
    script = tmp_path / "user_script.py"
    script.write_text(SNIPPET, encoding="utf-8")
    mix_lines = {
        tag: number for number, line in enumerate(SNIPPET.splitlines(), 1) for tag in ("MIX-1", "MIX-2") if tag in line
    }
    environ = {**os.environ, "MYPYPATH": os.pathsep.join(str(ROOT / folder) for folder in ("overlay", "generated"))}
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--config-file", os.devnull, str(script)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environ,
        check=False,
    )
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert result.returncode == 1, result.stdout + result.stderr
    # exactly the two mix-ups, nothing in the correct uses
    assert sorted(int(line.split(":")[1]) for line in errors) == [mix_lines["MIX-1"], mix_lines["MIX-2"]], errors
    assert "not iterable" in errors[0] or "__iter__" in errors[0]
    assert "__aiter__" in errors[1]
