import { ipLiteralReason } from "./safe-url";

export type Egress = (input: string, init?: RequestInit) => Promise<Response>;

const DOH_TIMEOUT_MS = 3_000;
/** DNS record types that carry addresses (A, AAAA). CNAMEs are followed by the resolver. */
const ADDRESS_TYPES = new Map([["A", 1], ["AAAA", 28]]);

interface DohAnswer {
  Status?: number;
  Answer?: { type?: number; data?: string }[];
}

async function lookup(egress: Egress, dohUrl: string, host: string, type: string, signal: AbortSignal): Promise<string[] | null> {
  const url = new URL(dohUrl);
  url.searchParams.set("name", host);
  url.searchParams.set("type", type);
  const res = await egress(url.toString(), { headers: { Accept: "application/dns-json" }, signal: AbortSignal.any([signal, AbortSignal.timeout(DOH_TIMEOUT_MS)]) });
  if (!res.ok) {
    await res.body?.cancel();
    return null;
  }
  const body = (await res.json()) as DohAnswer;
  if (body.Status !== 0) return body.Status === 3 ? [] : null; // 3: NXDOMAIN
  return (body.Answer ?? []).filter((a) => a.type === ADDRESS_TYPES.get(type) && typeof a.data === "string").map((a) => a.data!);
}

/**
 * Resolves a host name over DNS-over-HTTPS (RFC 8484 JSON form, e.g. Cloudflare's
 * `https://cloudflare-dns.com/dns-query`) and refuses it when any A/AAAA answer is a
 * special-purpose address, or when it cannot be resolved (fail closed). The check and the
 * later fetch resolve separately, so a name that changes its answer in between (DNS
 * rebinding with a zero TTL) is not caught here: docs/runtime.md says what is covered.
 */
export async function resolvedHostReason(egress: Egress, dohUrl: string, host: string, signal: AbortSignal): Promise<string | null> {
  let addresses: string[] = [];
  try {
    for (const type of ADDRESS_TYPES.keys()) {
      const found = await lookup(egress, dohUrl, host, type, signal);
      if (found === null) return "the host name could not be resolved";
      addresses.push(...found);
    }
  } catch (err) {
    if (signal.aborted) throw err;
    return "the host name could not be resolved";
  }
  if (addresses.length === 0) return "the host name could not be resolved";
  // An answer that is no address at all is refused like a private one.
  if (addresses.some((a) => ipLiteralReason(a) !== null)) return "the host name resolves to a private or loopback address";
  return null;
}
