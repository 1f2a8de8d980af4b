"""Contains all the data models used in inputs/outputs"""

from .artist import Artist
from .artist_edge import ArtistEdge
from .error import Error
from .error_payload import ErrorPayload
from .error_response import ErrorResponse
from .follow_artist_data import FollowArtistData
from .follow_artist_response import FollowArtistResponse
from .follow_artist_result import FollowArtistResult
from .follow_state import FollowState
from .follow_user_data import FollowUserData
from .follow_user_response import FollowUserResponse
from .follow_user_result import FollowUserResult
from .followed_artists_connection import FollowedArtistsConnection
from .followed_artists_data import FollowedArtistsData
from .followed_artists_response import FollowedArtistsResponse
from .followed_playlists_connection import FollowedPlaylistsConnection
from .followed_playlists_data import FollowedPlaylistsData
from .followed_playlists_response import FollowedPlaylistsResponse
from .followed_podcast_shows_connection import FollowedPodcastShowsConnection
from .followed_podcast_shows_data import FollowedPodcastShowsData
from .followed_podcast_shows_response import FollowedPodcastShowsResponse
from .followed_users_connection import FollowedUsersConnection
from .followed_users_data import FollowedUsersData
from .followed_users_response import FollowedUsersResponse
from .followers_connection import FollowersConnection
from .followers_data import FollowersData
from .followers_response import FollowersResponse
from .image import Image
from .library_track_edge import LibraryTrackEdge
from .library_tracks_connection import LibraryTracksConnection
from .library_tracks_data import LibraryTracksData
from .library_tracks_response import LibraryTracksResponse
from .page_info import PageInfo
from .playlist import Playlist
from .playlist_edge import PlaylistEdge
from .podcast_show import PodcastShow
from .podcast_show_edge import PodcastShowEdge
from .track import Track
from .unfollow_artist_data import UnfollowArtistData
from .unfollow_artist_response import UnfollowArtistResponse
from .unfollow_user_data import UnfollowUserData
from .unfollow_user_response import UnfollowUserResponse
from .update_user_data import UpdateUserData
from .update_user_request import UpdateUserRequest
from .update_user_response import UpdateUserResponse
from .user import User
from .user_data import UserData
from .user_edge import UserEdge
from .user_response import UserResponse
from .user_with_followed_artists import UserWithFollowedArtists
from .user_with_followed_playlists import UserWithFollowedPlaylists
from .user_with_followed_podcast_shows import UserWithFollowedPodcastShows
from .user_with_followed_users import UserWithFollowedUsers
from .user_with_followers import UserWithFollowers
from .user_with_library_tracks import UserWithLibraryTracks
from .users_data import UsersData
from .users_response import UsersResponse
from .visibility import Visibility

__all__ = (
    "Artist",
    "ArtistEdge",
    "Error",
    "ErrorPayload",
    "ErrorResponse",
    "FollowArtistData",
    "FollowArtistResponse",
    "FollowArtistResult",
    "FollowedArtistsConnection",
    "FollowedArtistsData",
    "FollowedArtistsResponse",
    "FollowedPlaylistsConnection",
    "FollowedPlaylistsData",
    "FollowedPlaylistsResponse",
    "FollowedPodcastShowsConnection",
    "FollowedPodcastShowsData",
    "FollowedPodcastShowsResponse",
    "FollowedUsersConnection",
    "FollowedUsersData",
    "FollowedUsersResponse",
    "FollowersConnection",
    "FollowersData",
    "FollowersResponse",
    "FollowState",
    "FollowUserData",
    "FollowUserResponse",
    "FollowUserResult",
    "Image",
    "LibraryTrackEdge",
    "LibraryTracksConnection",
    "LibraryTracksData",
    "LibraryTracksResponse",
    "PageInfo",
    "Playlist",
    "PlaylistEdge",
    "PodcastShow",
    "PodcastShowEdge",
    "Track",
    "UnfollowArtistData",
    "UnfollowArtistResponse",
    "UnfollowUserData",
    "UnfollowUserResponse",
    "UpdateUserData",
    "UpdateUserRequest",
    "UpdateUserResponse",
    "User",
    "UserData",
    "UserEdge",
    "UserResponse",
    "UsersData",
    "UsersResponse",
    "UserWithFollowedArtists",
    "UserWithFollowedPlaylists",
    "UserWithFollowedPodcastShows",
    "UserWithFollowedUsers",
    "UserWithFollowers",
    "UserWithLibraryTracks",
    "Visibility",
)
