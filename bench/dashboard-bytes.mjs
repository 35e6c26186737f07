// What a dashboard page load costs in bytes: the HTML of each screen plus the one stylesheet and
// one script (cached for 5 minutes after the first page), raw and gzip-compressed.
// Usage: node bench/dashboard-bytes.mjs
import { gzipSync } from "node:zlib";
import { devToken, serveBundle } from "./serve.mjs";

const { url, mf } = await serveBundle();
try {
  const form = new URLSearchParams({ token: await devToken("bytes") });
  const signIn = await fetch(`${url}/sign-in`, { method: "POST", redirect: "manual", headers: { Origin: url, "Content-Type": "application/x-www-form-urlencoded" }, body: form });
  const cookie = signIn.headers.get("set-cookie").split(";")[0];
  const size = async (path) => {
    const body = Buffer.from(await (await fetch(`${url}${path}`, { headers: { cookie } })).arrayBuffer());
    return { path, raw: body.length, gzip: gzipSync(body).length };
  };
  const rows = [];
  for (const path of ["/assets/dashboard.css", "/assets/dashboard.js", "/sign-in", "/", "/workflows", "/workflows/new", "/marketplace", "/library", "/deployments", "/runs", "/api-keys", "/billing", "/account", "/docs"]) {
    rows.push(await size(path));
  }
  console.log("| resource | bytes | gzip |\n|---|---:|---:|");
  for (const r of rows) console.log(`| \`${r.path}\` | ${r.raw} | ${r.gzip} |`);
  const assets = rows.slice(0, 2).reduce((n, r) => n + r.gzip, 0);
  const pages = rows.slice(3, 13);
  const avg = Math.round(pages.reduce((n, r) => n + r.gzip, 0) / pages.length);
  console.log(`\nfirst load ≈ ${avg + assets} B gzip (HTML ${avg} + CSS/JS ${assets}); later pages ≈ ${avg} B`);
} finally {
  await mf.dispose();
}
