/**
 * A fetch-based call typed entirely by the types openapi-typescript generates from the published spec: the path
 * chooses the methods, the operation chooses the parameters, the request body and the 200 body. No other dependency.
 *
 *   npx openapi-typescript dist/spec/amazon-music-user-v1.yaml -o amazon-music-user-v1.d.ts
 */
import type { components, paths } from "amazon-music-user-v1";

export type HttpMethod = "get" | "put" | "post" | "delete" | "patch";

/** The methods a path defines; openapi-typescript marks the others `?: never`. */
export type MethodOf<P extends keyof paths> = {
  [M in HttpMethod]-?: undefined extends paths[P][M] ? never : M;
}[HttpMethod];

type Operation<P extends keyof paths, M extends MethodOf<P>> = paths[P][M];
type ParametersOf<Op> = Op extends { parameters: infer Parameters } ? Parameters : never;
type JsonBodyOf<Op> = Op extends { requestBody: { content: { "application/json": infer Body } } } ? Body : never;
type SuccessOf<Op> = Op extends { responses: { 200: { content: { "application/json": infer Body } } } } ? Body : never;

/** What a call passes: the operation's path and query parameters, and its JSON body where it has one. */
export type RequestOf<Op> = ParametersOf<Op> &
  ([JsonBodyOf<Op>] extends [never] ? { body?: never } : { body: JsonBodyOf<Op> });

export interface Credentials {
  /** The Login with Amazon security profile ID, sent as x-api-key. */
  apiKey: string;
  /** A Login with Amazon access token (Atza|...). */
  accessToken: string;
  /** Default https://api.music.amazon.dev; the emulator's URL when testing. */
  baseUrl?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: components["schemas"]["ErrorResponse"],
  ) {
    super(`${status} ${body.error.code}: ${body.error.message}`);
  }
}

type Untyped = {
  path?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
};

export async function call<P extends keyof paths, M extends MethodOf<P>>(
  credentials: Credentials,
  path: P,
  method: M,
  request: RequestOf<Operation<P, M>>,
): Promise<SuccessOf<Operation<P, M>>> {
  // The types above did the checking; from here on the values are plain strings and numbers.
  const { path: pathParameters = {}, query = {}, body } = request as Untyped;
  const resolved = String(path).replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = pathParameters[name];
    if (value === undefined) throw new TypeError(`missing path parameter ${name} for ${String(path)}`);
    return encodeURIComponent(value);
  });
  const url = new URL(resolved, credentials.baseUrl ?? "https://api.music.amazon.dev");
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) url.searchParams.set(name, String(value));
  }
  const headers: Record<string, string> = {
    "x-api-key": credentials.apiKey,
    authorization: `Bearer ${credentials.accessToken}`,
    accept: "application/json",
  };
  const init: RequestInit = { method: method.toUpperCase(), headers };
  if (body !== undefined) {
    headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  const parsed: unknown = await response.json();
  if (!response.ok) throw new ApiError(response.status, parsed as components["schemas"]["ErrorResponse"]);
  return parsed as SuccessOf<Operation<P, M>>;
}
