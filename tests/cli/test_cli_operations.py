"""Every API command against the emulator: the table, the JSON, paging, and the state changes the writes make."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import click
import pytest
from cli_support import Cli

from amazon_music import AmazonMusic
from amazon_music.cli import cli
from amazon_music.cli._commands import OperationCommand
from amazon_music_emulator.app import EmulatorApp
from amazon_music_emulator.seed import DEMO_API_KEY, DEMO_USER_ID, PRIVATE_USER_ID
from amazon_music_generated.operations import OPERATIONS, Operation

JANE = "uj7wxenmftr26zlg7eo4maa744"
DOCS_LISTS_USER = "zqll6htnhybrewrqsrtrhdvaa"
NEW_ARTIST = "B01372OH53"  # seeded; the demo user does not follow it


@pytest.fixture
def oracle(base_url: str, token: str) -> Iterator[AmazonMusic]:
    """The Python client, to say what the CLI should show."""
    with AmazonMusic(DEMO_API_KEY, token=token, base_url=base_url) as music:
        yield music


def json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines()]


def table_ids(text: str) -> list[str]:
    """The first column of a table's body rows (after the header rule, before the count caption)."""
    lines = text.splitlines()
    rule = next(index for index, line in enumerate(lines) if set(line.strip()) == {"─"})
    return [line.split()[0] for line in lines[rule + 1 : -1] if line.strip()]


# -- me -------------------------------------------------------------------------------------------------------------


def test_me_shows_the_profile_as_a_table_and_as_json(run: Cli, token: str) -> None:
    table = run("me")
    assert table.exit_code == 0, table.stderr
    assert "Tony Starked" in table.stdout and DEMO_USER_ID in table.stdout
    assert "Playback visibility" in table.stdout
    as_json = run("me", "--json")
    profile = json.loads(as_json.stdout)
    assert profile["id"] == DEMO_USER_ID and profile["name"] == "Tony Starked"
    assert profile["playbackVisibility"] == "PUBLIC"  # the API's own field names


def test_me_update_changes_what_is_given_and_keeps_the_rest(run: Cli, token: str) -> None:
    result = run("me", "update", "--name", "Tony Stark", "--playback-visibility", "private", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["name"] == "Tony Stark"
    after = json.loads(run("me", "--json").stdout)
    assert (after["name"], after["visibility"], after["playbackVisibility"]) == ("Tony Stark", "PUBLIC", "PRIVATE")
    table = run("me", "update", "--visibility", "PRIVATE")
    assert "PRIVATE" in table.stdout and "Tony Stark" in table.stdout


def test_me_update_needs_an_option_and_names_a_bad_one(run: Cli, token: str) -> None:
    nothing = run("me", "update")
    assert nothing.exit_code == 2 and "--name" in nothing.error_line
    too_long = run("me", "update", "--name", "x" * 101)
    assert too_long.exit_code == 2 and "name" in too_long.error_line
    assert json.loads(run("me", "--json").stdout)["name"] == "Tony Starked"  # nothing was sent


# -- listings -------------------------------------------------------------------------------------------------------


def test_library_tracks_one_page_then_the_next_with_the_cursor(run: Cli, token: str, oracle: AmazonMusic) -> None:
    expected = [edge.node.id for edge in oracle.library_tracks(max_items=10)]
    first = run("library", "tracks", "--limit", "5")
    assert first.exit_code == 0, first.stderr
    assert table_ids(first.stdout) == expected[:5]
    assert "5 tracks" in first.stdout
    hint = first.error_line
    assert hint.startswith("more on the next page") and "--cursor " in hint
    cursor = hint.split("--cursor ")[1].split()[0]
    second = run("library", "tracks", "--limit", "5", "--cursor", cursor, "--json")
    edges = json_lines(second.stdout)
    assert [edge["node"]["id"] for edge in edges] == expected[5:10]  # type: ignore[index]
    assert {"uploaded", "purchased"} <= set(edges[0])


def test_library_tracks_filtered_by_ids(run: Cli, token: str) -> None:
    result = run("library", "tracks", "--track-ids", "B07B62ZK5S,B06VWVWDDH", "--track-ids", "B0NOTINLIB", "--json")
    assert result.exit_code == 0, result.stderr
    assert sorted(edge["node"]["id"] for edge in json_lines(result.stdout)) == ["B06VWVWDDH", "B07B62ZK5S"]  # type: ignore[index]


def test_followers_all_pages_as_json_lines_without_a_progress_bar(run: Cli, token: str, oracle: AmazonMusic) -> None:
    expected = [user.id for user in oracle.followers()]
    assert len(expected) >= 250
    result = run("followers", "--all", "--limit", "40", "--json")
    assert result.exit_code == 0, result.stderr
    assert [user["id"] for user in json_lines(result.stdout)] == expected
    assert result.stderr == ""  # stderr is not a terminal: no bar, and nothing else to say


def test_followers_table_counts_every_page(run: Cli, token: str, oracle: AmazonMusic) -> None:
    expected = [user.id for user in oracle.followers()]
    result = run("followers", "--all")
    assert table_ids(result.stdout) == expected
    assert result.stdout.rstrip().endswith(f"{len(expected)} users")


def test_max_items_stops_early_across_pages(run: Cli, token: str, oracle: AmazonMusic) -> None:
    expected = [user.id for user in oracle.followers(limit=100, max_items=230)]
    result = run("followers", "--max-items", "30", "--limit", "7", "--json")
    assert [user["id"] for user in json_lines(result.stdout)] == expected[:30]
    assert "stopped at 30 users (--max-items); continue with --cursor am-resume.1." in result.error_line
    beyond_a_page = run("followers", "--max-items", "230", "--json")  # more than the API's largest page
    assert beyond_a_page.exit_code == 0, beyond_a_page.stderr
    assert [user["id"] for user in json_lines(beyond_a_page.stdout)] == expected


def test_max_items_with_all_names_the_resume_point_and_it_continues(run: Cli, token: str, oracle: AmazonMusic) -> None:
    """Issue 13.9: `--all --max-items 15` said "--all for every one"; it names where to continue, exactly."""
    expected = [user.id for user in oracle.followers()]
    first = run("followers", "--all", "--max-items", "15", "--limit", "10", "--json")
    assert "--all for every one" not in first.stderr
    resume_point = first.error_line.rsplit("--cursor ", 1)[1]
    rest = run("followers", "--all", "--cursor", resume_point, "--json")
    assert rest.exit_code == 0, rest.stderr
    assert [user["id"] for user in json_lines(first.stdout) + json_lines(rest.stdout)] == expected


def test_followed_users_playlists_podcasts(run: Cli, token: str, oracle: AmazonMusic) -> None:
    users = run("followed", "users", "--limit", "4")
    assert table_ids(users.stdout) == [user.id for user in oracle.followed_users(max_items=4)]
    playlists = run("followed", "playlists", "--playlist-ids", "B01LS62KK2", "--json")
    assert [item["id"] for item in json_lines(playlists.stdout)] == ["B01LS62KK2"]
    assert json_lines(playlists.stdout)[0]["name"] == "CLASSIC ROCK HITS"
    podcasts = run("followed", "podcasts", "--all", "--json")
    assert [show["id"] for show in json_lines(podcasts.stdout)] == [show.id for show in oracle.followed_podcast_shows()]
    assert "DISGRACELAND" in run("followed", "podcasts", "--limit", "3").stdout


# -- follows --------------------------------------------------------------------------------------------------------


def test_follow_and_unfollow_an_artist_round_trip(run: Cli, token: str) -> None:
    listing = ("user", "followed", "artists", DEMO_USER_ID, "--artist-ids", NEW_ARTIST, "--json")
    assert run(*listing).stdout == ""
    followed = run("follow", "artist", NEW_ARTIST)
    assert followed.exit_code == 0 and followed.stdout == f"Following artist Amber Signals ({NEW_ARTIST})\n"
    assert [artist["id"] for artist in json_lines(run(*listing).stdout)] == [NEW_ARTIST]
    again = run("follow", "artist", NEW_ARTIST, "--json")  # idempotent
    assert json.loads(again.stdout)["followState"] == "FOLLOW"
    unfollowed = run("unfollow", "artist", NEW_ARTIST, "--json")
    assert json.loads(unfollowed.stdout) == {
        "artist": json.loads(again.stdout)["artist"],
        "followState": "UNFOLLOW",
    }
    assert run(*listing).stdout == ""


def test_follow_and_unfollow_a_user_round_trip(run: Cli, token: str) -> None:
    def followers_of_jane() -> list[str]:
        return [user["id"] for user in json_lines(run("user", "followers", JANE, "--json").stdout)]  # type: ignore[misc]

    assert DEMO_USER_ID not in followers_of_jane()
    result = run("follow", "user", JANE)
    assert result.stdout == f"Following user Jane M ({JANE})\n"
    assert DEMO_USER_ID in followers_of_jane()
    assert run("unfollow", "user", JANE).stdout == f"Not following user Jane M ({JANE})\n"
    assert DEMO_USER_ID not in followers_of_jane()


def test_following_yourself_is_a_usage_error(run: Cli, token: str) -> None:
    result = run("follow", "user", DEMO_USER_ID)
    assert result.exit_code == 2
    assert result.error_line.startswith("amazon-music: error: 400")


# -- other users ----------------------------------------------------------------------------------------------------


def test_user_profile_by_id_and_by_show(run: Cli, token: str) -> None:
    short = run("user", JANE)
    assert short.exit_code == 0 and "Jane M" in short.stdout
    assert run("user", "show", JANE).stdout == short.stdout
    assert json.loads(run("user", JANE, "--json").stdout)["id"] == JANE
    assert json.loads(run("user", "--json", JANE).stdout)["id"] == JANE


def test_users_takes_ids_as_arguments_commas_and_stdin(run: Cli, token: str) -> None:
    result = run("users", DEMO_USER_ID, f"{JANE},nosuchuser1")
    assert result.exit_code == 0
    assert table_ids(result.stdout) == [DEMO_USER_ID, JANE]
    assert result.error_line == "not found: nosuchuser1"
    piped = run("users", "-", "--json", input=f"{JANE}\n{PRIVATE_USER_ID}\n")
    assert [user["id"] for user in json_lines(piped.stdout)] == [JANE, PRIVATE_USER_ID]


def test_users_over_100_ids_are_chunked(run: Cli, token: str, oracle: AmazonMusic) -> None:
    ids = [user.id for user in oracle.followers(limit=100, max_items=150)]
    result = run("users", "--json", *ids)
    assert [user["id"] for user in json_lines(result.stdout)] == ids


def test_another_users_lists(run: Cli, token: str, oracle: AmazonMusic) -> None:
    cases = {
        ("user", "followers"): [u.id for u in oracle.user_followers(DOCS_LISTS_USER)],
        ("user", "followed", "users"): [u.id for u in oracle.user_followed_users(DOCS_LISTS_USER)],
        ("user", "followed", "artists"): [a.id for a in oracle.user_followed_artists(DOCS_LISTS_USER)],
        ("user", "followed", "podcasts"): [s.id for s in oracle.user_followed_podcast_shows(DOCS_LISTS_USER)],
    }
    for command, expected in cases.items():
        result = run(*command, DOCS_LISTS_USER, "--all", "--json")
        assert result.exit_code == 0, (command, result.stderr)
        assert [item["id"] for item in json_lines(result.stdout)] == expected, command
    assert len(cases[("user", "followed", "podcasts")]) == 3


def test_user_followed_podcasts_page_size_is_capped_at_36(run: Cli, token: str) -> None:
    result = run("user", "followed", "podcasts", DOCS_LISTS_USER, "--limit", "37")
    assert result.exit_code == 2
    assert "--limit" in result.error_line and "'amazon-music user followed podcasts --help'" in result.error_line


def test_a_private_users_lists_are_refused_with_exit_4(run: Cli, token: str) -> None:
    for command in (("user", "followers"), ("user", "followed", "users"), ("user", "followed", "artists")):
        result = run(*command, PRIVATE_USER_ID)
        assert result.exit_code == 4, command
        assert "PRIVATE" in result.error_line and result.stdout == ""
    assert run("user", PRIVATE_USER_ID).exit_code == 0  # the profile itself is public


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> dict[str, tuple[str, ...]]:
    """operationId -> the words that run it, from the command tree as the CLI builds it."""
    found: dict[str, tuple[str, ...]] = {}
    for name, command in group.commands.items():
        if isinstance(command, OperationCommand):
            found[command.operation.operation_id] = (*path, name)
        if isinstance(command, click.Group):
            found.update(_commands(command, (*path, name)))
    return found


def test_every_operation_of_the_spec_has_its_command() -> None:
    """The command tree against the operations table: a spec operation without a command fails here."""
    commands = _commands(cli)
    assert set(commands) == {operation.operation_id for operation in OPERATIONS}
    for operation in OPERATIONS:
        words = commands[operation.operation_id]
        assert words in (operation.command, (*operation.command, "show")), operation.operation_id


def _sample_call(operation: Operation) -> list[str]:
    """The command of the operation with an argument for each path parameter and one option of a body."""
    words = list(operation.command)
    for parameter in operation.parameters:
        if parameter.location == "path" or (parameter.required and parameter.location == "query"):
            words.append(JANE if re.search(parameter.pattern or "", JANE) else NEW_ARTIST)
    body = [parameter for parameter in operation.parameters if parameter.location == "body"]
    if body:
        words += ["--" + body[0].python_name.replace("_", "-"), "Tony"]
    return words


def test_every_operation_has_a_command(run: Cli, token: str, emulator: EmulatorApp) -> None:
    """Every operation, by the command that calls each; every one answers 0 against the emulator."""
    for operation in OPERATIONS:
        command = _sample_call(operation)
        result = run(*command)
        assert result.exit_code == 0, (command, result.stderr)
        assert result.stdout.strip(), command
