/**
 * The operations, each called once with every parameter it takes, typed from the published spec. A misspelt
 * parameter, a missing path ID, a method a path lacks or a response field that does not exist fails `tsc --strict`.
 * Against the emulator: callEveryOperation({ apiKey, accessToken, baseUrl: "http://127.0.0.1:8080" }).
 */
import { call, type Credentials } from "./amazon-music";

const ARTIST = "B000QKGN8W"; // the docs' Coldplay
const OTHER_USER = "zz2hu7x4v2u2bhzyh5bsb4xvje";

export async function callEveryOperation(credentials: Credentials): Promise<string[]> {
  const seen: string[] = [];

  const me = await call(credentials, "/v1/me", "get", {});
  const myId: string = me.data.user.id;
  seen.push(`me ${myId} ${me.data.user.name ?? "(no name)"}`);

  const updated = await call(credentials, "/v1/me", "put", {
    body: { name: "New Name", visibility: "PUBLIC", playbackVisibility: "PRIVATE" },
  });
  seen.push(`updated ${updated.data.updateUser.visibility ?? "?"}`);

  const tracks = await call(credentials, "/v1/me/library/tracks", "get", {
    query: { trackIds: "B07B62ZK5S,B06VWVWDDH", limit: 2, cursor: undefined },
  });
  seen.push(...tracks.data.user.libraryTracks.edges.map((edge) => `track ${edge.node.id} purchased=${edge.purchased}`));

  const followers = await call(credentials, "/v1/me/followers", "get", { query: { limit: 10, cursor: undefined } });
  const nextFollowers = followers.data.user.followers.pageInfo.token;
  if (followers.data.user.followers.pageInfo.hasNextPage && nextFollowers !== undefined) {
    const more = await call(credentials, "/v1/me/followers", "get", { query: { limit: 10, cursor: nextFollowers } });
    seen.push(`followers page 2: ${more.data.user.followers.edgeCount}`);
  }

  const followedUsers = await call(credentials, "/v1/me/followed/users", "get", {
    query: { limit: 5, cursor: undefined },
  });
  seen.push(...followedUsers.data.user.followedUsers.edges.map((edge) => `follows user ${edge.node.id}`));

  const playlists = await call(credentials, "/v1/me/followed/playlists", "get", {
    query: { playlistIds: "B01LS62KK2,B01LOXC1UI", limit: 2, cursor: undefined },
  });
  seen.push(...playlists.data.user.followedPlaylists.edges.map((edge) => `follows playlist ${edge.node.id}`));

  const followed = await call(credentials, "/v1/me/followed/artists/{id}", "put", { path: { id: ARTIST } });
  seen.push(`${followed.data.followArtist.followState} ${followed.data.followArtist.artist.name ?? ARTIST}`);

  const unfollowed = await call(credentials, "/v1/me/followed/artists/{id}", "delete", { path: { id: ARTIST } });
  seen.push(`${unfollowed.data.unfollowArtist.followState} ${unfollowed.data.unfollowArtist.artist.id}`);

  const followedUser = await call(credentials, "/v1/me/followed/users/{id}", "put", { path: { id: OTHER_USER } });
  seen.push(`${followedUser.data.followUser.followState} ${followedUser.data.followUser.user.id}`);

  const unfollowedUser = await call(credentials, "/v1/me/followed/users/{id}", "delete", { path: { id: OTHER_USER } });
  seen.push(`${unfollowedUser.data.unfollowUser.followState} ${unfollowedUser.data.unfollowUser.user.id}`);

  const shows = await call(credentials, "/v1/me/followed/podcasts/shows", "get", {
    query: { limit: 36, cursor: undefined },
  });
  seen.push(...shows.data.user.followedPodcastShows.edges.map((edge) => `follows show ${edge.node.title ?? edge.node.id}`));

  const user = await call(credentials, "/v1/users/{id}", "get", { path: { id: OTHER_USER } });
  seen.push(`user ${user.data.user.id} ${user.data.user.url ?? ""}`);

  const users = await call(credentials, "/v1/users", "get", { query: { ids: `${myId},${OTHER_USER}` } });
  seen.push(...users.data.users.map((each) => `users: ${each.id}`));

  const theirFollowers = await call(credentials, "/v1/users/{id}/followers", "get", {
    path: { id: OTHER_USER },
    query: { limit: 10, cursor: undefined },
  });
  seen.push(`their followers: ${theirFollowers.data.user.followers.edgeCount}`);

  const theirUsers = await call(credentials, "/v1/users/{id}/followed/users", "get", {
    path: { id: OTHER_USER },
    query: { limit: 10, cursor: undefined },
  });
  seen.push(`they follow users: ${theirUsers.data.user.followedUsers.edgeCount}`);

  const theirArtists = await call(credentials, "/v1/users/{id}/followed/artists", "get", {
    path: { id: OTHER_USER },
    query: { artistIds: ARTIST, limit: 10, cursor: undefined },
  });
  seen.push(...theirArtists.data.user.followedArtists.edges.map((edge) => `they follow artist ${edge.node.id}`));

  const theirShows = await call(credentials, "/v1/users/{id}/followed/podcasts/shows", "get", {
    path: { id: OTHER_USER },
    query: { limit: 36, cursor: undefined },
  });
  seen.push(`they follow shows: ${theirShows.data.user.followedPodcastShows.edgeCount}`);

  return seen;
}
