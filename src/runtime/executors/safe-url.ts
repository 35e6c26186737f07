/**
 * Integration calls leave the Worker only over https and never to an IANA special-purpose
 * address (loopback, private, link-local, shared, documentation, benchmarking, multicast,
 * reserved, NAT64/6to4/Teredo and other IPv4-embedding IPv6 forms), nor to a host name that is
 * known to resolve to one. Pure functions: no I/O here (resolution is in resolve-host.ts).
 */

export const PRIVATE_ADDRESS = "private and loopback addresses are not allowed";
export const INTERNAL_NAME = "internal host names are not allowed";

/** [first address, prefix length] per IANA IPv4 Special-Purpose Address Registry entry we refuse. */
const IPV4_SPECIAL: readonly [string, number][] = [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // shared address space (CGNAT)
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local (cloud metadata)
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // TEST-NET-1
  ["192.88.99.0", 24], // 6to4 relay anycast
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // TEST-NET-2
  ["203.0.113.0", 24], // TEST-NET-3
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, includes 255.255.255.255 (broadcast)
];

const IPV4_RANGES = IPV4_SPECIAL.map(([base, bits]) => {
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { net: (parseIpv4(base)! & mask) >>> 0, mask };
});

/**
 * The WHATWG IPv4 forms (what `new URL` and browsers accept): 1 to 4 dot-separated parts, each
 * decimal, 0x-hex or 0-octal, the last filling the remaining bytes: `127.1`, `0x7f.1`,
 * `0177.0.0.1` and `2130706433` are all 127.0.0.1. Returns the address as an unsigned 32-bit
 * number, or null when the text is not an IPv4 address.
 */
export function parseIpv4(text: string): number | null {
  const parts = text.replace(/\.$/, "").split(".");
  if (parts.length === 0 || parts.length > 4) return null;
  const numbers: number[] = [];
  for (const part of parts) {
    let value: number;
    if (/^0x[0-9a-f]*$/i.test(part)) value = part.length === 2 ? 0 : parseInt(part.slice(2), 16);
    else if (/^0[0-7]+$/.test(part)) value = parseInt(part.slice(1), 8);
    else if (/^(0|[1-9][0-9]*)$/.test(part)) value = Number(part);
    else return null;
    if (!Number.isFinite(value)) return null;
    numbers.push(value);
  }
  const last = numbers.pop()!;
  if (numbers.some((n) => n > 255) || last >= 256 ** (4 - numbers.length)) return null;
  let address = last;
  numbers.forEach((n, i) => (address += n * 256 ** (3 - i)));
  return address >>> 0;
}

export function isSpecialIpv4(address: number): boolean {
  return IPV4_RANGES.some(({ net, mask }) => ((address & mask) >>> 0) === net);
}

/** Eight 16-bit groups, or null. Accepts `::` compression and a trailing dotted IPv4 (`::ffff:1.2.3.4`); a zone (`%eth0`) is refused. */
export function parseIpv6(text: string): number[] | null {
  const host = text.replace(/^\[|\]$/g, "");
  if (!host.includes(":") || host.includes("%")) return null;
  let tail: number[] = [];
  let head = host;
  const dotted = /^(.*:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(host);
  if (dotted) {
    const parts = dotted[2]!.split(".").map(Number);
    if (parts.some((p) => p > 255)) return null;
    tail = [(parts[0]! << 8) | parts[1]!, (parts[2]! << 8) | parts[3]!];
    head = dotted[1]!.endsWith("::") ? dotted[1]! : dotted[1]!.slice(0, -1);
  }
  const halves = head.split("::");
  if (halves.length > 2) return null;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  if ([...left, ...right].some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return null;
  const known = left.length + right.length + tail.length;
  if (halves.length === 1 ? known !== 8 : known > 7) return null;
  const zeros = new Array<number>(8 - known).fill(0);
  return [...left.map((g) => parseInt(g, 16)), ...zeros, ...right.map((g) => parseInt(g, 16)), ...tail];
}

const inPrefix = (groups: number[], prefix: number[], bits: number) => {
  for (let i = 0; i < 8 && bits > 0; i++, bits -= 16) {
    const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
    if ((groups[i]! & mask) !== ((prefix[i] ?? 0) & mask)) return false;
  }
  return true;
};

/**
 * Only global unicast (2000::/3) is reachable, and inside it the special-purpose blocks are
 * refused too. Everything outside 2000::/3 is special or unassigned: `::`, `::1`, IPv4-compatible
 * `::a.b.c.d`, IPv4-mapped `::ffff:0:0/96`, NAT64 `64:ff9b::/96` and `64:ff9b:1::/48`, discard
 * `100::/64`, unique-local `fc00::/7`, link-local `fe80::/10`, site-local, multicast `ff00::/8`.
 */
const IPV6_SPECIAL_IN_GLOBAL: readonly [number[], number][] = [
  [[0x2001], 23], // IETF protocol assignments: Teredo 2001::/32 (embeds IPv4), ORCHID, AMT, …
  [[0x2001, 0x0db8], 32], // documentation
  [[0x2002], 16], // 6to4 (embeds IPv4)
  [[0x3fff], 20], // documentation (2024)
];

export function isSpecialIpv6(groups: number[]): boolean {
  if (!inPrefix(groups, [0x2000], 3)) return true;
  return IPV6_SPECIAL_IN_GLOBAL.some(([prefix, bits]) => inPrefix(groups, prefix, bits));
}

/** For an IP literal (IPv4 in any WHATWG form, IPv6 with or without brackets): why it is refused; null if it is public; undefined if it is no IP literal. */
export function ipLiteralReason(host: string): string | null | undefined {
  const v6 = parseIpv6(host);
  if (v6) return isSpecialIpv6(v6) ? PRIVATE_ADDRESS : null;
  if (host.includes(":")) return "parameters.url has an invalid IPv6 address";
  const v4 = parseIpv4(host);
  if (v4 !== null) return isSpecialIpv4(v4) ? PRIVATE_ADDRESS : null;
  return undefined;
}

/** Suffixes that never name a public host (RFC 6761/6762/8375 special-use names and common internal zones). */
const INTERNAL_SUFFIXES = ["localhost", "local", "internal", "lan", "home", "intranet", "corp", "arpa", "test", "invalid", "example", "onion", "alt"];

/** Wildcard DNS services that answer any embedded address (`127.0.0.1.nip.io`, `7f000001.nip.io`): DNS rebinding by design. */
export const REBINDING_DOMAINS = ["nip.io", "sslip.io", "xip.io", "nip.direct", "traefik.me", "localtest.me", "lvh.me", "vcap.me", "local.gd", "localhost.direct"];

const endsWithDomain = (host: string, domain: string) => host === domain || host.endsWith(`.${domain}`);

/** A host name carrying a special-purpose IPv4 in four `.`/`-` separated decimal parts (`10-0-0-1.example.com`). */
function embedsSpecialIpv4(host: string): boolean {
  const tokens = host.split(/[.-]/);
  for (let i = 0; i + 4 <= tokens.length; i++) {
    const quad = tokens.slice(i, i + 4);
    if (!quad.every((t) => /^\d{1,3}$/.test(t) && Number(t) <= 255)) continue;
    if (isSpecialIpv4(parseIpv4(quad.map(Number).join("."))!)) return true;
  }
  return false;
}

/** Why a host name (not an IP literal) is refused without resolving it, or null. */
export function hostNameReason(host: string): string | null {
  if (!host.includes(".")) return INTERNAL_NAME;
  const tld = host.slice(host.lastIndexOf(".") + 1);
  if (INTERNAL_SUFFIXES.includes(tld) || host === "localhost") return INTERNAL_NAME;
  if (REBINDING_DOMAINS.some((d) => host !== d && endsWithDomain(host, d))) return "wildcard DNS names that resolve to any address are not allowed";
  if (embedsSpecialIpv4(host)) return "host names that embed a private or loopback address are not allowed";
  return null;
}

/** The URL's host, lower-cased, without brackets or a trailing dot. */
export const hostOf = (url: URL) => url.hostname.toLowerCase().replace(/^\[|\]$/g, "").replace(/\.$/, "");

/** Returns the reason a URL is refused, or null. Resolution (where configured) is checked separately. */
export function unsafeUrlReason(raw: unknown): string | null {
  if (typeof raw !== "string") return "parameters.url must be a string";
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "parameters.url is not a valid URL";
  }
  if (url.protocol !== "https:") return "only https URLs are allowed";
  if (url.username || url.password) return "URLs with credentials are not allowed";
  const host = hostOf(url);
  const literal = ipLiteralReason(host);
  if (literal !== undefined) return literal;
  return hostNameReason(host);
}
