/**
 * Calls the published types must reject. tests/publish/test_typescript.py compiles this file with the example under
 * `tsc --noEmit --strict`; each `@ts-expect-error` fails the build if its line stops being an error, so the types
 * are shown to check the path, the method, every parameter, the body and the response, not only to exist.
 */
import { call, type Credentials } from "../../../examples/typescript/amazon-music";

export async function wrongCalls(credentials: Credentials): Promise<unknown[]> {
  return [
    // @ts-expect-error a path the spec does not have
    await call(credentials, "/v1/me/library/albums", "get", {}),
    // @ts-expect-error a method the path does not define
    await call(credentials, "/v1/me", "delete", {}),
    // @ts-expect-error a misspelt query parameter
    await call(credentials, "/v1/me/followers", "get", { query: { limt: 10 } }),
    // @ts-expect-error limit is an integer, not a string
    await call(credentials, "/v1/me/followers", "get", { query: { limit: "10" } }),
    // @ts-expect-error the path ID is required
    await call(credentials, "/v1/users/{id}", "get", {}),
    // @ts-expect-error the path parameter is `id`
    await call(credentials, "/v1/users/{id}", "get", { path: { userId: "abc" } }),
    // @ts-expect-error `ids` is required on getUsers
    await call(credentials, "/v1/users", "get", { query: {} }),
    // @ts-expect-error the podcast listings have no artistIds filter (erratum user-podcasts-artist-ids)
    await call(credentials, "/v1/users/{id}/followed/podcasts/shows", "get", { path: { id: "a" }, query: { artistIds: "B" } }),
    // @ts-expect-error updateCurrentUser needs all three fields
    await call(credentials, "/v1/me", "put", { body: { name: "New Name" } }),
    // @ts-expect-error visibility is PUBLIC or PRIVATE
    await call(credentials, "/v1/me", "put", { body: { name: "N", visibility: "FRIENDS", playbackVisibility: "PUBLIC" } }),
    // @ts-expect-error a GET has no body
    await call(credentials, "/v1/me", "get", { body: { name: "N" } }),
    // @ts-expect-error the 200 body of followArtist is data.followArtist (erratum follow-artist-key)
    (await call(credentials, "/v1/me/followed/artists/{id}", "put", { path: { id: "B000QKGN8W" } })).data.followedArtist,
    // @ts-expect-error getUsers answers data.users, a list (erratum users-key)
    (await call(credentials, "/v1/users", "get", { query: { ids: "a,b" } })).data.user,
  ];
}
