/**
 * Integration calls leave the Worker only over https and never to loopback, private,
 * link-local or otherwise internal hosts. Returns the reason a URL is refused, or null.
 */
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
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, "").replace(/\.$/, "");
  if (host === "localhost" || /\.(localhost|local|internal|lan|home|intranet)$/.test(host) || !host.includes(".") && !host.includes(":")) {
    return "internal host names are not allowed";
  }
  if (isPrivateIpv4(host) || isPrivateIpv6(host)) return "private and loopback addresses are not allowed";
  return null;
}

function isPrivateIpv4(host: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return (
    a === 0 || a === 10 || a === 127 || a >= 224 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19))
  );
}

function isPrivateIpv6(host: string): boolean {
  if (!host.includes(":")) return false;
  if (host === "::" || host === "::1") return true;
  const mapped = /^::ffff:(.+)$/.exec(host);
  if (mapped) return mapped[1]!.includes(".") ? isPrivateIpv4(mapped[1]!) : true;
  return /^(fc|fd|fe8|fe9|fea|feb)/.test(host);
}
