/**
 * Consumer matrix, row 3: the typescript-fetch client openapi-generator makes from the published bundle, compiled
 * with it under `tsc --strict`, calls GET /v1/me and one listing against the emulator and prints what it read as JSON.
 * The generated client sits in ./generated (tests/publish/test_consumer_openapi_generator.py copies it there).
 */
import { Configuration, MeApi, ResponseError } from "./generated";

declare const process: {
  argv: string[];
  stdout: { write(text: string): void };
  stderr: { write(text: string): void };
  exit(code: number): never;
};

async function main(): Promise<void> {
  const [basePath, apiKey, accessToken] = process.argv.slice(2);
  // typescript-fetch puts an oauth2 token in Authorization as given: the scheme goes with it.
  const me = new MeApi(new Configuration({ basePath, apiKey, accessToken: `Bearer ${accessToken}` }));
  const user = (await me.getCurrentUser()).data.user;
  const page = (await me.getCurrentUserFollowers({ limit: 5 })).data.user.followers;
  process.stdout.write(
    JSON.stringify({
      id: user.id,
      playbackVisibility: user.playbackVisibility ?? null,
      followers: page.edges.map((edge) => edge.node.id),
      hasNextPage: page.pageInfo.hasNextPage,
    }),
  );
}

main().catch(async (error: unknown) => {
  const response = error instanceof ResponseError ? error.response : undefined;
  const detail = response ? ` ${response.status} ${response.url}: ${await response.text()}` : "";
  process.stderr.write(`${String(error)}${detail}\n`);
  process.exit(1);
});
