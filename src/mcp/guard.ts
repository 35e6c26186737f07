import type { Config } from "../env";
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

function hostAllowed(config: Config, host: string): boolean {
  const hostname = hostnameOf(host);
  if (hostname === null) return false;
  if (config.ENVIRONMENT !== "production" && LOCAL_HOSTNAMES.has(hostname)) return true;
  const lowerHost = host.toLowerCase();
  if (config.PUBLIC_BASE_URL) {
    const base = new URL(config.PUBLIC_BASE_URL);
    if (lowerHost === base.host || lowerHost === base.hostname) return true;
  }
  // An entry without a port allows that name on any port; with a port, exactly that.
  return splitList(config.MCP_ALLOWED_HOSTS).some((entry) => entry === lowerHost || entry === hostname);
}

function originAllowed(config: Config, origin: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  const isWeb = parsed.protocol === "http:" || parsed.protocol === "https:";
  if (config.ENVIRONMENT !== "production" && isWeb && LOCAL_HOSTNAMES.has(parsed.hostname)) return true;
  if (config.PUBLIC_BASE_URL && new URL(config.PUBLIC_BASE_URL).origin === parsed.origin) return true;
  return splitList(config.MCP_ALLOWED_ORIGINS).some((entry) => entry.replace(/\/$/, "") === parsed.origin);
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
 * null when the request may proceed. Both the Host header and the URL's host are checked:
 * on Workers they agree, and a rewriting proxy in front must not widen the allow-list.
 */
export function rebindingRefusal(config: Config, req: Request): Refusal | null {
  const urlHost = new URL(req.url).host;
  for (const host of new Set([req.headers.get("Host") ?? urlHost, urlHost])) {
    if (!hostAllowed(config, host)) {
      return refusal(421, `Host '${host}' is not served by this MCP endpoint (configure PUBLIC_BASE_URL or MCP_ALLOWED_HOSTS)`, {
        code: "MISDIRECTED_REQUEST",
        host,
      });
    }
  }
  const origin = req.headers.get("Origin");
  if (origin !== null && !originAllowed(config, origin)) {
    return refusal(403, `Origin '${origin}' is not allowed to use this MCP endpoint`, { code: "FORBIDDEN", origin });
  }
  return null;
}
