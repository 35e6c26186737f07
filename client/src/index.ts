import createFetchClient, { type Client, type Middleware } from "openapi-fetch";
import { errorFromResponse } from "./errors";
import { followStream, type FollowOptions, type RunEvent } from "./events";
import type { components, paths } from "./openapi";
import { callRpc, type RpcMethod, type RpcParams, type RpcResult } from "./rpc";

export { HydraApiError, type RestErrorCode, type RpcErrorCode } from "./errors";
export { parseSse, TERMINAL_EVENTS, type FollowOptions, type RunEvent } from "./events";
export type * from "./rpc";
export type { components, paths };

/** A named schema of the API (`Schema<"Workflow">`, `Schema<"Deployment">`, …). */
export type Schema<Name extends keyof components["schemas"]> = components["schemas"][Name];

export interface HydraClientOptions {
  /** The server, e.g. `http://localhost:8787`. */
  baseUrl: string;
  /** A JWT or an API key `hk_…`; a function is asked before every request (token refresh). */
  token?: string | (() => string | Promise<string>);
  /** Another fetch (tests, proxies, `SELF.fetch` in workerd). Defaults to the global fetch. */
  fetch?: (request: Request) => Promise<Response>;
}

/**
 * The typed Hydra Edge client: `rest` for every `/v1` route (paths, params, bodies and responses
 * typed from the API's OpenAPI document), `rpc` for the JSON-RPC runtime methods, and
 * `followRun` / `followAll` for the event streams. Every failure is a HydraApiError.
 */
export function createHydraClient(options: HydraClientOptions) {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const doFetch = options.fetch ?? ((request: Request) => fetch(request));
  const tokenOf = async () => (typeof options.token === "function" ? await options.token() : options.token);
  const send = async (request: Request) => {
    const token = await tokenOf();
    if (token && !request.headers.has("Authorization")) request.headers.set("Authorization", `Bearer ${token}`);
    return doFetch(request);
  };

  const throwOnError: Middleware = {
    async onResponse({ response }) {
      if (!response.ok) throw await errorFromResponse(response);
      return response;
    },
  };
  const rest: Client<paths> = createFetchClient<paths>({ baseUrl, fetch: send });
  rest.use(throwOnError);

  let nextId = 0;
  const rpc = <M extends RpcMethod>(method: M, ...params: undefined extends RpcParams<M> ? [RpcParams<M>?] : [RpcParams<M>]) =>
    callRpc(
      (body) => send(new Request(`${baseUrl}/rpc`, { method: "POST", headers: { "Content-Type": "application/json" }, body })),
      method,
      params[0] as RpcParams<M>,
      ++nextId,
    ) as Promise<RpcResult<M>>;

  const openStream = (path: string) => (lastEventId: string | undefined, signal?: AbortSignal) =>
    send(
      new Request(`${baseUrl}${path}`, {
        headers: { Accept: "text/event-stream", ...(lastEventId ? { "Last-Event-ID": lastEventId } : {}) },
        ...(signal ? { signal } : {}),
      }),
    );

  return {
    rest,
    rpc,
    /** Events of one run, from its start (or after `lastEventId`) to its end, across reconnections. */
    followRun(runId: string, follow: FollowOptions = {}): AsyncGenerator<RunEvent> {
      const finished = async () => {
        const { runs } = await rpc("hydra.status", { run_id: runId });
        return ["completed", "failed", "cancelled"].includes(runs[0]?.status ?? "");
      };
      return followStream(openStream(`/runs/${encodeURIComponent(runId)}/events`), finished, follow);
    },
    /** Events of all the caller's runs from now (or after `lastEventId`); ends only when aborted or unreachable. */
    followAll(follow: FollowOptions = {}): AsyncGenerator<RunEvent> {
      return followStream(openStream("/events"), async () => false, follow);
    },
  };
}

export type HydraClient = ReturnType<typeof createHydraClient>;
