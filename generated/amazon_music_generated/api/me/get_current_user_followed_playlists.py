from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.followed_playlists_response import FollowedPlaylistsResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    playlist_ids: str | Unset = UNSET,
    limit: int | Unset = 100,
    cursor: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["playlistIds"] = playlist_ids

    params["limit"] = limit

    params["cursor"] = cursor

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/me/followed/playlists",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | FollowedPlaylistsResponse | None:
    if response.status_code == 200:
        response_200 = FollowedPlaylistsResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorResponse.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorResponse.from_dict(response.json())

        return response_404

    if response.status_code == 413:
        response_413 = ErrorResponse.from_dict(response.json())

        return response_413

    if response.status_code == 429:
        response_429 = ErrorResponse.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = ErrorResponse.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = ErrorResponse.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | FollowedPlaylistsResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    playlist_ids: str | Unset = UNSET,
    limit: int | Unset = 100,
    cursor: str | Unset = UNSET,
) -> Response[ErrorResponse | FollowedPlaylistsResponse]:
    """List the playlists the current user follows

     Pages through the playlists the current user follows. With `playlistIds`, only those of the given
    playlists that the user follows are returned.

    Args:
        playlist_ids (str | Unset): 1 to 100 comma-separated ASINs. Example:
            B07B62ZK5S,B06VWVWDDH.
        limit (int | Unset):  Default: 100.
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | FollowedPlaylistsResponse]
    """

    kwargs = _get_kwargs(
        playlist_ids=playlist_ids,
        limit=limit,
        cursor=cursor,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    playlist_ids: str | Unset = UNSET,
    limit: int | Unset = 100,
    cursor: str | Unset = UNSET,
) -> ErrorResponse | FollowedPlaylistsResponse | None:
    """List the playlists the current user follows

     Pages through the playlists the current user follows. With `playlistIds`, only those of the given
    playlists that the user follows are returned.

    Args:
        playlist_ids (str | Unset): 1 to 100 comma-separated ASINs. Example:
            B07B62ZK5S,B06VWVWDDH.
        limit (int | Unset):  Default: 100.
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | FollowedPlaylistsResponse
    """

    return sync_detailed(
        client=client,
        playlist_ids=playlist_ids,
        limit=limit,
        cursor=cursor,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    playlist_ids: str | Unset = UNSET,
    limit: int | Unset = 100,
    cursor: str | Unset = UNSET,
) -> Response[ErrorResponse | FollowedPlaylistsResponse]:
    """List the playlists the current user follows

     Pages through the playlists the current user follows. With `playlistIds`, only those of the given
    playlists that the user follows are returned.

    Args:
        playlist_ids (str | Unset): 1 to 100 comma-separated ASINs. Example:
            B07B62ZK5S,B06VWVWDDH.
        limit (int | Unset):  Default: 100.
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | FollowedPlaylistsResponse]
    """

    kwargs = _get_kwargs(
        playlist_ids=playlist_ids,
        limit=limit,
        cursor=cursor,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    playlist_ids: str | Unset = UNSET,
    limit: int | Unset = 100,
    cursor: str | Unset = UNSET,
) -> ErrorResponse | FollowedPlaylistsResponse | None:
    """List the playlists the current user follows

     Pages through the playlists the current user follows. With `playlistIds`, only those of the given
    playlists that the user follows are returned.

    Args:
        playlist_ids (str | Unset): 1 to 100 comma-separated ASINs. Example:
            B07B62ZK5S,B06VWVWDDH.
        limit (int | Unset):  Default: 100.
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | FollowedPlaylistsResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            playlist_ids=playlist_ids,
            limit=limit,
            cursor=cursor,
        )
    ).parsed
