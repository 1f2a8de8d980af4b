/**
 * Consumer matrix, row 4: openapi-fetch typed by openapi-typescript's types of the published bundle walks every
 * page of every listing against the emulator and prints {operationId: items} as JSON. Which listings to walk comes
 * from the spec (tests/publish/test_consumer_openapi_fetch.py passes them as JSON in argv[2]).
 */
import createClient from "openapi-fetch";
import type { paths } from "amazon-music-user-v1";

// Node's globals this program uses, declared here: the project installs no @types/node.
declare const process: {
  argv: string[];
  stdout: { write(text: string): void };
  stderr: { write(text: string): void };
  exit(code: number): never;
};

/** The paths whose GET answers a page (its 200 body reaches a `pageInfo`). */
type Paged<T> = T extends { pageInfo: unknown } ? true : T extends object ? { [K in keyof T]: Paged<T[K]> }[keyof T] : never;
type Listing = {
  [P in keyof paths]: paths[P] extends {
    get: { responses: { 200: { content: { "application/json": infer Body } } } };
  }
    ? true extends Paged<Body>
      ? P
      : never
    : never;
}[keyof paths];

interface Walk {
  baseUrl: string;
  apiKey: string;
  accessToken: string;
  limit: number;
  listings: { operationId: string; path: Listing; pathParams: Record<string, string> }[];
}

interface Connection {
  pageInfo: { hasNextPage: boolean; token?: string };
  edges: unknown[];
}

/** The connection (`{pageInfo, edges}`) inside a page's body. */
function connectionOf(body: unknown): Connection | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  if ("pageInfo" in body && "edges" in body) return body as Connection;
  for (const value of Object.values(body)) {
    const found = connectionOf(value);
    if (found) return found;
  }
  return undefined;
}

async function main(): Promise<void> {
  const walk = JSON.parse(process.argv[2] ?? "{}") as Walk;
  const client = createClient<paths>({
    baseUrl: walk.baseUrl,
    headers: { "x-api-key": walk.apiKey, Authorization: `Bearer ${walk.accessToken}` },
  });
  const counts: Record<string, number> = {};
  for (const listing of walk.listings) {
    let cursor: string | undefined;
    let items = 0;
    do {
      // One call shape for every listing: path parameters, limit and cursor (each listing takes these).
      const init = { params: { path: listing.pathParams, query: { limit: walk.limit, cursor } } };
      const { data, error, response } = await client.GET(listing.path, init as never);
      if (error !== undefined || data === undefined) {
        throw new Error(`${listing.operationId}: ${response.status} ${JSON.stringify(error)}`);
      }
      const connection = connectionOf(data);
      if (!connection) throw new Error(`${listing.operationId}: no pageInfo in ${JSON.stringify(data)}`);
      items += connection.edges.length;
      cursor = connection.pageInfo.hasNextPage ? connection.pageInfo.token : undefined;
    } while (cursor !== undefined);
    counts[listing.operationId] = items;
  }
  process.stdout.write(JSON.stringify(counts));
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
