"""The API commands: one for each of the 17 operations, named after the API's paths.

    me                       GET /v1/me                      me update             PUT /v1/me
    library tracks           GET /v1/me/library/tracks       followers             GET /v1/me/followers
    followed users           GET /v1/me/followed/users       followed playlists    GET /v1/me/followed/playlists
    followed podcasts        GET /v1/me/followed/podcasts/shows
    follow artist ID         PUT /v1/me/followed/artists/ID  unfollow artist ID    DELETE (the same path)
    follow user ID           PUT /v1/me/followed/users/ID    unfollow user ID      DELETE (the same path)
    user ID                  GET /v1/users/ID                users ID...           GET /v1/users?ids=...
    user followers ID        GET /v1/users/ID/followers
    user followed users ID   GET /v1/users/ID/followed/users (artists, podcasts likewise)

Imports of the client and rich happen inside the commands, so ``amazon-music --help`` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click

from ._exit import CliError, ExitCode
from ._listing import ListingOptions, listing_options, show_listing
from ._output import note, print_json, print_json_line, print_record, print_table
from ._state import CliState, pass_state
from ._views import (
    ARTISTS,
    LIBRARY_TRACKS,
    PLAYLISTS,
    PODCAST_SHOWS,
    PROFILES,
    USERS,
    profile_fields,
    text,
    to_json,
)

__all__ = ["register"]

_JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON.")
_VISIBILITY = click.Choice(["PUBLIC", "PRIVATE"], case_sensitive=False)


def _nodes(page: Any) -> list[Any]:
    return [edge.node for edge in page.edges]


def _edges(page: Any) -> list[Any]:
    return list(page.edges)


def _id_list(values: Sequence[str]) -> list[str] | None:
    """IDs from repeated options, each of which may hold several separated by commas."""
    ids = [item.strip() for value in values for item in value.split(",") if item.strip()]
    return ids or None


def _show_profile(user: Any, as_json_flag: bool) -> None:
    if as_json_flag:
        print_json(to_json(user))
    else:
        print_record(profile_fields(user))


# -- me -----------------------------------------------------------------------------------------------------------


@click.group(invoke_without_command=True)
@_JSON
@pass_state
@click.pass_context
def me(ctx: click.Context, state: CliState, as_json: bool) -> None:
    """Your profile (music::profile); `me update` changes it."""
    if ctx.invoked_subcommand is not None:
        return
    with state.client() as music:
        _show_profile(music.me(), as_json)


@me.command("update")
@click.option("--name", help="Your display name (1 to 100 characters).")
@click.option("--visibility", type=_VISIBILITY, help="Who sees your profile.")
@click.option("--playback-visibility", type=_VISIBILITY, help="Who sees what you play.")
@_JSON
@pass_state
def me_update(
    state: CliState, name: str | None, visibility: str | None, playback_visibility: str | None, as_json: bool
) -> None:
    """Change your name and visibilities; what you leave out keeps its current value (music::profile)."""
    if name is None and visibility is None and playback_visibility is None:
        raise click.UsageError("give at least one of --name, --visibility, --playback-visibility")
    with state.client() as music:
        if name is None or visibility is None or playback_visibility is None:
            current = music.me()  # the API replaces all three at once: fill the ones not given
            name = name if name is not None else text(current.name)
            visibility = visibility or text(current.visibility)
            playback_visibility = playback_visibility or text(current.playback_visibility)
            for option, value in (("--name", name), ("--playback-visibility", playback_visibility)):
                if not value:
                    raise click.UsageError(f"{option} is required: the profile has none yet")
        updated = music.update_me(
            name=name, visibility=visibility.upper(), playback_visibility=playback_visibility.upper()
        )
        _show_profile(updated, as_json)


# -- the current user's lists -------------------------------------------------------------------------------------


@click.group()
def library() -> None:
    """Your library."""


@library.command("tracks")
@click.option("--track-ids", multiple=True, metavar="ASIN,...", help="Only these tracks (up to 100; repeatable).")
@listing_options()
@pass_state
def library_tracks(state: CliState, track_ids: tuple[str, ...], listing: ListingOptions) -> None:
    """The tracks in your library (music::profile:read)."""
    with state.client() as music:
        paginator = music.library_tracks(track_ids=_id_list(track_ids), **listing.paging())
        show_listing(paginator, _edges, LIBRARY_TRACKS, listing, title="library tracks")


@click.command()
@listing_options()
@pass_state
def followers(state: CliState, listing: ListingOptions) -> None:
    """The users who follow you (music::favorites:read)."""
    with state.client() as music:
        show_listing(music.followers(**listing.paging()), _nodes, USERS, listing, title="followers")


@click.group()
def followed() -> None:
    """What you follow: users, playlists, podcast shows."""


@followed.command("users")
@listing_options()
@pass_state
def followed_users(state: CliState, listing: ListingOptions) -> None:
    """The users you follow (music::favorites:read)."""
    with state.client() as music:
        show_listing(music.followed_users(**listing.paging()), _nodes, USERS, listing, title="followed users")


@followed.command("playlists")
@click.option("--playlist-ids", multiple=True, metavar="ASIN,...", help="Only these playlists (up to 100).")
@listing_options()
@pass_state
def followed_playlists(state: CliState, playlist_ids: tuple[str, ...], listing: ListingOptions) -> None:
    """The playlists you follow (music::favorites:read)."""
    with state.client() as music:
        paginator = music.followed_playlists(playlist_ids=_id_list(playlist_ids), **listing.paging())
        show_listing(paginator, _nodes, PLAYLISTS, listing, title="followed playlists")


@followed.command("podcasts")
@listing_options()
@pass_state
def followed_podcasts(state: CliState, listing: ListingOptions) -> None:
    """The podcast shows you follow (music::favorites:read)."""
    with state.client() as music:
        paginator = music.followed_podcast_shows(**listing.paging())
        show_listing(paginator, _nodes, PODCAST_SHOWS, listing, title="followed podcast shows")


# -- follow and unfollow ------------------------------------------------------------------------------------------


def _follow_result(result: Any, kind: str, as_json_flag: bool) -> None:
    if as_json_flag:
        print_json(to_json(result))
        return
    target = result.artist if kind == "artist" else result.user
    name = text(target.name)
    who = f"{name} ({target.id})" if name else target.id
    following = text(result.follow_state) == "FOLLOW"
    click.echo(f"{'Following' if following else 'Not following'} {kind} {who}")


@click.group()
def follow() -> None:
    """Follow an artist or a user (music::favorites). Idempotent."""


@follow.command("artist")
@click.argument("artist_id", metavar="ASIN")
@_JSON
@pass_state
def follow_artist(state: CliState, artist_id: str, as_json: bool) -> None:
    """Follow the artist ASIN."""
    with state.client() as music:
        _follow_result(music.follow_artist(artist_id), "artist", as_json)


@follow.command("user")
@click.argument("user_id", metavar="ID")
@_JSON
@pass_state
def follow_user(state: CliState, user_id: str, as_json: bool) -> None:
    """Follow the user ID."""
    with state.client() as music:
        _follow_result(music.follow_user(user_id), "user", as_json)


@click.group()
def unfollow() -> None:
    """Stop following an artist or a user (music::favorites). Idempotent."""


@unfollow.command("artist")
@click.argument("artist_id", metavar="ASIN")
@_JSON
@pass_state
def unfollow_artist(state: CliState, artist_id: str, as_json: bool) -> None:
    """Stop following the artist ASIN."""
    with state.client() as music:
        _follow_result(music.unfollow_artist(artist_id), "artist", as_json)


@unfollow.command("user")
@click.argument("user_id", metavar="ID")
@_JSON
@pass_state
def unfollow_user(state: CliState, user_id: str, as_json: bool) -> None:
    """Stop following the user ID."""
    with state.client() as music:
        _follow_result(music.unfollow_user(user_id), "user", as_json)


# -- other users --------------------------------------------------------------------------------------------------


class _UserGroup(click.Group):
    """`user ID` means `user show ID`: a first argument that is not a subcommand is a user ID."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        first = next((arg for arg in args if not arg.startswith("-")), None)
        if first is not None and first not in self.commands:
            args = ["show", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_UserGroup)
def user() -> None:
    """Another user: `user ID` for the profile, `user followers ID`, `user followed users|artists|podcasts ID`.

    A PRIVATE user's lists are refused (exit 4) to anyone but that user.
    """


@user.command("show")
@click.argument("user_id", metavar="ID")
@_JSON
@pass_state
def user_show(state: CliState, user_id: str, as_json: bool) -> None:
    """A user's public profile (music::catalog); `user ID` for short."""
    with state.client() as music:
        _show_profile(music.user(user_id), as_json)


@user.command("followers")
@click.argument("user_id", metavar="ID")
@listing_options()
@pass_state
def user_followers(state: CliState, user_id: str, listing: ListingOptions) -> None:
    """The users who follow user ID (music::catalog)."""
    with state.client() as music:
        paginator = music.user_followers(user_id, **listing.paging())
        show_listing(paginator, _nodes, USERS, listing, title=f"followers of {user_id}")


@user.group("followed")
def user_followed() -> None:
    """What user ID follows: users, artists, podcast shows."""


@user_followed.command("users")
@click.argument("user_id", metavar="ID")
@listing_options()
@pass_state
def user_followed_users(state: CliState, user_id: str, listing: ListingOptions) -> None:
    """The users that user ID follows (music::catalog)."""
    with state.client() as music:
        paginator = music.user_followed_users(user_id, **listing.paging())
        show_listing(paginator, _nodes, USERS, listing, title=f"users {user_id} follows")


@user_followed.command("artists")
@click.argument("user_id", metavar="ID")
@click.option("--artist-ids", multiple=True, metavar="ASIN,...", help="Only these artists (up to 100).")
@listing_options()
@pass_state
def user_followed_artists(state: CliState, user_id: str, artist_ids: tuple[str, ...], listing: ListingOptions) -> None:
    """The artists that user ID follows (music::catalog)."""
    with state.client() as music:
        paginator = music.user_followed_artists(user_id, artist_ids=_id_list(artist_ids), **listing.paging())
        show_listing(paginator, _nodes, ARTISTS, listing, title=f"artists {user_id} follows")


@user_followed.command("podcasts")
@click.argument("user_id", metavar="ID")
@listing_options(page_max=36)
@pass_state
def user_followed_podcasts(state: CliState, user_id: str, listing: ListingOptions) -> None:
    """The podcast shows that user ID follows (music::catalog)."""
    with state.client() as music:
        paginator = music.user_followed_podcast_shows(user_id, **listing.paging())
        show_listing(paginator, _nodes, PODCAST_SHOWS, listing, title=f"podcast shows {user_id} follows")


@click.command()
@click.argument("user_ids", nargs=-1, required=True, metavar="ID...")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines: one profile per line.")
@pass_state
def users(state: CliState, user_ids: tuple[str, ...], as_json: bool) -> None:
    """Public profiles of any number of users (music::catalog); sent 100 a request.

    IDs may also be separated by commas; `-` reads them from stdin (e.g. from `followers --all --json | jq -r .id`).
    """
    values = [sys.stdin.read().replace("\n", ",").replace(" ", ",") if value == "-" else value for value in user_ids]
    ids = _id_list(values)
    if not ids:
        raise CliError("users: no IDs given", ExitCode.USAGE)
    with state.client() as music:
        found = music.users(ids)
    if as_json:
        for profile in found:
            print_json_line(to_json(profile))
        sys.stdout.flush()
    else:
        headers = [header for header, _ in PROFILES.columns]
        print_table(headers, (PROFILES.row(profile) for profile in found), caption=PROFILES.count(len(found)))
    missing = sorted(set(ids) - {p.id for p in found})
    if missing:
        note(f"not found: {', '.join(missing)}")


def register(group: click.Group) -> None:
    for command in (me, library, followers, followed, follow, unfollow, user, users):
        group.add_command(command)
