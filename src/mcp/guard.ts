import { derivedOnce, rememberBounded, type Config } from "../env";
import { rpcError } from "./protocol";

/**
 * DNS rebinding protection. A page on evil.example.com whose name resolves to a server the
 * victim can reach sends `Host: evil.example.com` and `Origin: http://evil.example.com`, so
 * neither allow-list may be derived from the request itself: both come from configuration.
 * - Host: PUBLIC_BASE_URL's host, MCP_ALLOWED_HOSTS, and (outside production) localhost,
 *   127.0.0.1 and [::1] on any port. A foreign Host → 421 Misdirected Request.
 * - Origin (only when present; IDE agents send none): PUBLIC_BASE_URL's origin,
 *   MCP_ALLOWED_ORIGINS, and (outside production) http(s) origins on those localhost names.
 *   A foreign Origin → 403 (the spec's MUST).
 * Both refusals are JSON-RPC error responses without an id, as the transport spec allows.
 */
const LOCAL_HOSTNAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);
/** Host values decided per config: a request's Host is one of a few, and deciding parses a URL. */
const HOST_DECISIONS = 256;

const splitList = (raw: string | undefined) =>
  (raw ?? "")
    .split(",")
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean);

/** "Host" header value → hostname (lowercase, IPv6 in brackets) without the port. */
function hostnameOf(host: string): string | null {
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return null;
  }
}

/**
 * The allow-lists as configured, derived once per config object (configuration is parsed once
 * per env object), so a request parses no configured URL.
 */
interface AllowLists {
  local: boolean;
  /** PUBLIC_BASE_URL's host and hostname, matched against the whole Host value. */
  baseHosts: Set<string>;
  /** MCP_ALLOWED_HOSTS: an entry without a port allows that name on any port; with a port, exactly that. */
  allowedHosts: Set<string>;
  origins: Set<string>;
  /** Host value → allowed, for the values seen (a pure function of the config; bounded). */
  hostDecisions: Map<string, boolean>;
}

const allowListsOf = derivedOnce((config: Config): AllowLists => {
  const base = config.PUBLIC_BASE_URL ? new URL(config.PUBLIC_BASE_URL) : null;
  return {
    local: config.ENVIRONMENT !== "production",
    baseHosts: new Set(base ? [base.host, base.hostname] : []),
    allowedHosts: new Set(splitList(config.MCP_ALLOWED_HOSTS)),
    origins: new Set([...(base ? [base.origin] : []), ...splitList(config.MCP_ALLOWED_ORIGINS).map((entry) => entry.replace(/\/$/, ""))]),
    hostDecisions: new Map(),
  };
});

function decideHost(lists: AllowLists, host: string): boolean {
  const hostname = hostnameOf(host);
  if (hostname === null) return false;
  if (lists.local && LOCAL_HOSTNAMES.has(hostname)) return true;
  const lowerHost = host.toLowerCase();
  return lists.baseHosts.has(lowerHost) || lists.allowedHosts.has(lowerHost) || lists.allowedHosts.has(hostname);
}

function hostAllowed(lists: AllowLists, host: string): boolean {
  const known = lists.hostDecisions.get(host);
  if (known !== undefined) return known;
  const allowed = decideHost(lists, host);
  rememberBounded(lists.hostDecisions, host, allowed, HOST_DECISIONS);
  return allowed;
}

function originAllowed(lists: AllowLists, origin: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  const isWeb = parsed.protocol === "http:" || parsed.protocol === "https:";
  if (lists.local && isWeb && LOCAL_HOSTNAMES.has(parsed.hostname)) return true;
  return lists.origins.has(parsed.origin);
}

export interface Refusal {
  status: 403 | 421;
  body: ReturnType<typeof rpcError>;
}

const refusal = (status: 403 | 421, message: string, data: Record<string, unknown>): Refusal => ({
  status,
  body: rpcError(null, -32000, message, data),
});

/**
 * `new URL(url).host` of a request's URL, which is already serialized (scheme, "//", host, then
 * a path starting with "/"), so the host is the text between "//" and the next "/".
 */
function serializedHost(url: string): string {
  const start = url.indexOf("//") + 2;
  const end = url.indexOf("/", start);
  return url.slice(start, end === -1 ? undefined : end);
}

/**
 * null when the request may proceed. Both the Host header and the URL's host are checked:
 * on Workers they agree, and a rewriting proxy in front must not widen the allow-list.
 */
export function rebindingRefusal(config: Config, req: Request): Refusal | null {
  const lists = allowListsOf(config);
  const urlHost = serializedHost(req.url);
  const headerHost = req.headers.get("Host") ?? urlHost;
  for (const host of headerHost === urlHost ? [urlHost] : [headerHost, urlHost]) {
    if (!hostAllowed(lists, host)) {
      return refusal(421, `Host '${host}' is not served by this MCP endpoint (configure PUBLIC_BASE_URL or MCP_ALLOWED_HOSTS)`, {
        code: "MISDIRECTED_REQUEST",
        host,
      });
    }
  }
  const origin = req.headers.get("Origin");
  if (origin !== null && !originAllowed(lists, origin)) {
    return refusal(403, `Origin '${origin}' is not allowed to use this MCP endpoint`, { code: "FORBIDDEN", origin });
  }
  return null;
}
