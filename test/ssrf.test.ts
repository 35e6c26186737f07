import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hostNameReason, ipLiteralReason, parseIpv4, parseIpv6, unsafeUrlReason } from "../src/runtime/executors/safe-url";
import { newUser } from "./helpers/auth";
import { api } from "./helpers/http";
import { manualRpc, stepUntil } from "./helpers/runtime";

/** The IANA special-purpose ranges, written out independently of the filter's own table. */
const V4_SPECIAL = ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32"];
const V6_SPECIAL = ["::/128", "::1/128", "::ffff:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32", "2002::/16", "fc00::/7", "fe80::/10", "ff00::/8"];

const v4ToBig = (ip: string) => ip.split(".").reduce((acc, p) => (acc << 8n) | BigInt(p), 0n);
function v6ToBig(ip: string): bigint {
  const [l, r = ""] = ip.split("::");
  const left = l ? l.split(":") : [];
  const right = ip.includes("::") ? (r ? r.split(":") : []) : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}
const v4Ranges = V4_SPECIAL.map((c) => ({ base: v4ToBig(c.split("/")[0]!), bits: Number(c.split("/")[1]) }));
const v6Ranges = V6_SPECIAL.map((c) => ({ base: v6ToBig(c.split("/")[0]!), bits: Number(c.split("/")[1]) }));
const inV4Special = (n: bigint) => v4Ranges.some(({ base, bits }) => n >> BigInt(32 - bits) === base >> BigInt(32 - bits));

const dotted = (n: bigint) => [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join(".");
const hex16 = (n: bigint) => Array.from({ length: 8 }, (_, i) => ((n >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
/** Writes an IPv4 address in one of the forms browsers and `new URL` accept. */
function v4Form(n: bigint, form: number): string {
  const b = dotted(n).split(".").map(Number);
  switch (form) {
    case 0: return dotted(n);
    case 1: return String(n); // 2130706433
    case 2: return `0x${n.toString(16)}`; // 0x7f000001
    case 3: return b.map((x) => `0${x.toString(8)}`).join("."); // 0177.0.0.01
    case 4: return `${b[0]}.${(b[1]! << 16) | (b[2]! << 8) | b[3]!}`; // 127.1
    default: return `0x${b[0]!.toString(16)}.${b[1]}.${(b[2]! << 8) | b[3]!}`; // 0x7f.0.1
  }
}

const inRange = (ranges: { base: bigint; bits: number }[], width: number) =>
  fc.tuple(fc.constantFrom(...ranges), fc.bigInt({ min: 0n, max: (1n << BigInt(width)) - 1n })).map(([{ base, bits }, offset]) => {
    const hostBits = BigInt(width - bits);
    return ((base >> hostBits) << hostBits) | (offset & ((1n << hostBits) - 1n));
  });

const refused = (url: string) => expect(unsafeUrlReason(url), url).not.toBeNull();
const allowed = (url: string) => expect(unsafeUrlReason(url), url).toBeNull();

describe("SSRF filter (pure)", () => {
  it("refuses the addresses a probe got through, and every listed range's edges", () => {
    for (const url of [
      "https://[::127.0.0.1]/", "https://[64:ff9b::127.0.0.1]/", "https://[::ffff:127.0.0.1]/", "https://[::ffff:7f00:1]/",
      "https://[64:ff9b::7f00:1]/", "https://[64:ff9b:1::a00:1]/", "https://[2002:7f00:1::]/", "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
      "https://[2001:db8::1]/", "https://[100::1]/", "https://[fc00::1]/", "https://[fdff::1]/", "https://[fe80::1]/", "https://[febf::1]/",
      "https://[ff02::1]/", "https://[::]/", "https://[::1]/", "https://[0:0:0:0:0:0:0:1]/",
      "https://192.0.0.1/", "https://192.0.2.1/", "https://198.51.100.7/", "https://203.0.113.200/", "https://192.88.99.1/",
      "https://0.0.0.0/", "https://100.64.0.1/", "https://100.127.255.255/", "https://172.16.0.1/", "https://172.31.255.255/",
      "https://198.18.0.1/", "https://198.19.255.255/", "https://224.0.0.1/", "https://239.255.255.255/", "https://240.0.0.1/",
      "https://255.255.255.255/", "https://169.254.169.254/latest/meta-data",
      "https://2130706433/", "https://0177.0.0.1/", "https://0x7f.1/", "https://127.1/", "https://0x7f000001/", "https://017700000001/",
      "https://127.0.0.1.nip.io/", "https://7f000001.nip.io/", "https://app.10-0-0-1.sslip.io/", "https://localhost/", "https://a.localhost/",
      "https://metadata.google.internal/", "https://printer.local/", "https://127.0.0.1.example.com/", "https://api-10-1-2-3.example.com/",
      "https://192.168.1.1.attacker.example.org/", "https://intranet/", "https://svc.internal./",
    ]) refused(url);
  });

  it("lets public addresses and names through, including the neighbours of special ranges", () => {
    for (const url of [
      "https://api.example.com/x", "https://8.8.8.8/", "https://1.1.1.1/", "https://93.184.216.34/", "https://192.0.1.1/", "https://192.0.3.1/",
      "https://172.32.0.1/", "https://172.15.255.255/", "https://100.128.0.1/", "https://100.63.255.255/", "https://198.20.0.1/", "https://198.51.101.1/",
      "https://203.0.114.1/", "https://223.255.255.255/", "https://11.0.0.1/", "https://[2606:4700:4700::1111]/", "https://[2a00:1450:4001::1]/",
      "https://[2001:200::1]/", "https://hooks.slack.com/services/x", "https://api-8-8-8-8.example.com/", "https://v1.2.3.example.com/",
    ]) allowed(url);
  });

  it("parses the WHATWG IPv4 forms and IPv6 with embedded IPv4", () => {
    expect(parseIpv4("127.1")).toBe(0x7f000001);
    expect(parseIpv4("0x7f.1")).toBe(0x7f000001);
    expect(parseIpv4("0177.0.0.1")).toBe(0x7f000001);
    expect(parseIpv4("2130706433")).toBe(0x7f000001);
    expect(parseIpv4("256.1.1.1")).toBeNull();
    expect(parseIpv4("example.com")).toBeNull();
    expect(parseIpv6("::ffff:1.2.3.4")).toEqual([0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]);
    expect(parseIpv6("[64:ff9b::127.0.0.1]")).toEqual([0x64, 0xff9b, 0, 0, 0, 0, 0x7f00, 1]);
    expect(parseIpv6("1::2::3")).toBeNull();
    expect(parseIpv6("fe80::1%eth0")).toBeNull();
    expect(ipLiteralReason("fe80::1%eth0")).not.toBeNull();
    expect(hostNameReason("example.com")).toBeNull();
  });

  it("refuses any IPv4 address in a special range, in every textual form", () => {
    fc.assert(
      fc.property(inRange(v4Ranges, 32), fc.integer({ min: 0, max: 5 }), (n, form) => {
        const host = v4Form(n, form);
        expect(ipLiteralReason(host), host).not.toBeNull();
        expect(unsafeUrlReason(`https://${host}/x`), host).not.toBeNull();
        // The same address spelled into a host name.
        expect(hostNameReason(`svc.${dotted(n)}.example.com`), host).not.toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  it("refuses any IPv6 address in a special range, and any IPv4 embedded in IPv6", () => {
    fc.assert(
      fc.property(inRange(v6Ranges, 128), fc.boolean(), (n, full) => {
        const groups = hex16(n);
        const text = full ? groups.join(":") : groups.join(":").replace(/(^|:)0(:0)+(:|$)/, "::");
        expect(unsafeUrlReason(`https://[${text}]/`), text).not.toBeNull();
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 0xffffffffn }), fc.constantFrom("::", "::ffff:", "64:ff9b::", "64:ff9b:1::"), (n, prefix) => {
        expect(unsafeUrlReason(`https://[${prefix}${dotted(n)}]/`), `${prefix}${dotted(n)}`).not.toBeNull();
      }),
      { numRuns: 200 },
    );
  });

  it("lets every other IPv4 address through", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 0xffffffffn }).filter((n) => !inV4Special(n)), fc.integer({ min: 0, max: 5 }), (n, form) => {
        expect(unsafeUrlReason(`https://${v4Form(n, form)}/`), dotted(n)).toBeNull();
      }),
      { numRuns: 300 },
    );
  });
});

/** What the integration stand-in (the INTEGRATION_API binding) was asked for one host. */
async function callsTo(host: string): Promise<{ method: string; host: string; path?: string; type?: string }[]> {
  return (await env.INTEGRATION_API.fetch(`https://standin.test/__calls?host=${encodeURIComponent(host)}`)).json();
}

async function runIntegrationSteps(urls: string[], extraEnv: Record<string, string> = {}) {
  const user = await newUser();
  const steps = urls.map((url, i) => ({ id: `call_${i}`, name: `Call ${i}`, action: "api_integration", parameters: { url, method: "GET" } }));
  const wf = await api("POST", "/v1/workflows", { token: user.token, body: { name: "Calls", manifest: { manifest_version: "1.0", name: "Calls", steps } } });
  expect(wf.status, JSON.stringify(wf.body)).toBe(201);
  const started = await manualRpc(user.token, "hydra.run", { workflowId: wf.body.data.workflowId }, extraEnv);
  const runId = started.body.result.run_id;
  const done = await stepUntil(user.token, runId, (r) => ["completed", "failed"].includes(r.status));
  return urls.map((_, i) => done.steps.find((s: any) => s.phase === "act" && s.description === `Call ${i}`));
}

describe("integration steps in workerd", () => {
  it("send public requests through the egress binding and refuse special targets before any connection", async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const publicHost = `api-${tag}.example.com`;
    const blocked = ["https://[::127.0.0.1]/admin", "https://[64:ff9b::127.0.0.1]/admin", `https://127.0.0.1.nip.io/${tag}`, "https://192.0.2.10/", "https://198.51.100.1/", "https://203.0.113.9/", "https://192.0.0.8/", "https://0x7f.1/"];
    const steps = await runIntegrationSteps([`https://${publicHost}/data`, ...blocked]);
    expect(steps[0]).toMatchObject({ status: "completed" });
    expect(await callsTo(publicHost)).toEqual([{ method: "GET", host: publicHost, path: "/data" }]);
    blocked.forEach((url, i) => expect(steps[i + 1], url).toMatchObject({ status: "failed", error: expect.stringMatching(/^Refused: /) }));
    for (const host of ["[::7f00:1]", "[64:ff9b::7f00:1]", "127.0.0.1.nip.io", "192.0.2.10", "198.51.100.1", "203.0.113.9", "192.0.0.8", "127.0.0.1"]) {
      expect(await callsTo(host), host).toEqual([]);
    }
  });

  it("with DNS-over-HTTPS configured, refuses names that resolve to special addresses or not at all", async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const hosts = { ok: `ok-${tag}.example.com`, v4: `rebind-${tag}.example.com`, v6: `v6rebind-${tag}.example.com`, nx: `nxdomain-${tag}.example.com` };
    const steps = await runIntegrationSteps(Object.values(hosts).map((h) => `https://${h}/x`), { INTEGRATION_DOH_URL: "https://doh.test/dns-query" });
    expect(steps[0]).toMatchObject({ status: "completed" });
    expect(steps[1]).toMatchObject({ status: "failed", error: "Refused: the host name resolves to a private or loopback address" });
    expect(steps[2]).toMatchObject({ status: "failed", error: "Refused: the host name resolves to a private or loopback address" });
    expect(steps[3]).toMatchObject({ status: "failed", error: "Refused: the host name could not be resolved" });
    // Each name was looked up (A and AAAA); only the public one was then requested.
    expect((await callsTo(hosts.ok)).map((c) => c.method)).toEqual(["DNS", "DNS", "GET"]);
    for (const host of [hosts.v4, hosts.v6, hosts.nx]) expect((await callsTo(host)).every((c) => c.method === "DNS"), host).toBe(true);
  });
});
