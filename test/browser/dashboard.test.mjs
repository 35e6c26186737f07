// Browser tests: Debian's Chromium (/usr/bin/chromium) driven by playwright-core against the
// built Worker bundle served by Miniflare on loopback, with a fresh local D1 (migrations applied).
// Screenshots of every screen land in test-results/screens/ (ignored by git).
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { chromium } from "playwright-core";
import { devToken, serveBundle } from "../../bench/serve.mjs";

const SCREENS = "test-results/screens";
const XSS_NAME = "<img src=x onerror=alert(1)>";
let server;
let context;
let page;
const problems = [];
const dialogs = [];

const manifest = (steps) => JSON.stringify({ manifest_version: "1.0", name: "Release helper", steps }, null, 2);
const INVALID = manifest([
  { id: "analyze", name: "Analyze", action: "analyze_code" },
  { id: "commit", name: "Commit", action: "review_and_commit", depends_on: ["ghost"] },
]);
// analyze is an action a workstation performs (the test plays it over /rpc); commit (risk 0.65)
// then waits for a person's approval, with its parameters shown, and is performed the same way.
const VALID = manifest([
  { id: "analyze", name: "Analyze", action: "analyze_code" },
  { id: "commit", name: "Commit the fix", action: "review_and_commit", depends_on: ["analyze"], parameters: { message: "fix: login bug" } },
]);

/** Every screen to test-results/screens/; with DOCS_SCREENS=dir, the README's small copies too. */
async function shot(name) {
  await page.screenshot({ path: join(SCREENS, `${name}.png`), fullPage: true });
  if (process.env.DOCS_SCREENS && DOC_SHOTS.has(name)) {
    await page.screenshot({ path: join(process.env.DOCS_SCREENS, `${name}.png`), clip: { x: 0, y: 0, width: 1100, height: 700 } });
  }
}
const DOC_SHOTS = new Set(["sign-in", "workflows", "workflow", "workflow-form-errors", "marketplace", "library", "deployment", "run", "api-keys-created", "billing", "account"]);

async function signIn(sub) {
  await page.goto(`${server.url}/sign-in`);
  await page.getByLabel("Token").fill(await devToken(sub));
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${server.url}/`);
}

async function signOut() {
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/sign-in/);
}

/** Plays the workstation: claims the run's next action over /rpc and reports it done. */
async function performNextAction(sub, runId) {
  const rpc = async (method, params) => {
    const res = await fetch(`${server.url}/rpc`, {
      method: "POST",
      headers: { Authorization: `Bearer ${await devToken(sub)}`, "Content-Type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    });
    const body = await res.json();
    assert.equal(body.error, undefined, JSON.stringify(body.error));
    return body.result;
  };
  const { action } = await rpc("hydra.next_action", { run_id: runId, wait_seconds: 20 });
  assert.ok(action, "an action is ready");
  await rpc("hydra.report_action", { action_id: action.action_id, outcome: "succeeded", output: `done: ${action.name}` });
  return action;
}

const nav = (name) => page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true });

before(async () => {
  mkdirSync(SCREENS, { recursive: true });
  server = await serveBundle();
  // A new, empty profile per run (playwright passes it as --user-data-dir).
  context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "hydra-chromium-")), {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    viewport: { width: 1100, height: 800 },
  });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    d.dismiss();
  });
});

after(async () => {
  await context?.close();
  await server?.mf.dispose();
});

let workflowUrl;
let workflowId;

test("sign in with a dev token, see the navigation", async () => {
  await page.goto(`${server.url}/workflows`);
  assert.match(page.url(), /\/sign-in\?return_to=%2Fworkflows/);
  await shot("sign-in");
  await signIn("alice");
  for (const name of ["Workflows", "Marketplace", "Library", "Deployments", "Runs", "API keys", "Billing"]) {
    assert.equal(await nav(name).count(), 1, name);
  }
  await shot("overview");
});

test("create a workflow: an invalid manifest shows its path next to the field, a valid one saves", async () => {
  await nav("Workflows").click();
  await page.getByRole("button", { name: "New workflow" }).click();
  await page.getByLabel("Name", { exact: true }).fill(XSS_NAME);
  await page.getByLabel("Description", { exact: true }).fill("Ships a fix <b>safely</b>");
  await page.getByLabel("Category", { exact: true }).fill("development");
  await page.getByLabel("Tags", { exact: true }).fill("release, git");
  await page.getByLabel("Manifest", { exact: true }).fill(INVALID);
  await page.getByRole("button", { name: "Save" }).click();
  const manifestField = page.getByLabel("Manifest", { exact: true });
  assert.equal(await manifestField.getAttribute("aria-invalid"), "true");
  assert.match(await page.locator("#manifest-error").innerText(), /steps\.1\.depends_on\.0/);
  await shot("workflow-form-errors");
  await manifestField.fill(VALID);
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(/\/workflows\/wf_/);
  workflowUrl = page.url();
  workflowId = workflowUrl.split("/").pop();
  // Escaped: the name is text, never markup, and no script ran.
  assert.equal(await page.getByRole("heading", { level: 1 }).innerText(), XSS_NAME);
  assert.equal(await page.locator("main img").count(), 0);
  assert.equal(await page.locator("svg.graph path.edge[data-edge='analyze->commit']").count(), 1);
  await page.getByRole("button", { name: "Publish" }).click();
  await page.waitForURL(workflowUrl);
  assert.equal(await page.getByRole("button", { name: "Make private" }).count(), 1);
  await shot("workflow");
  await nav("Workflows").click();
  await page.getByRole("link", { name: "Public", exact: true }).click();
  assert.equal(await page.getByRole("link", { name: XSS_NAME }).count(), 1);
  await shot("workflows");
  await signOut();
});

test("a second user finds it in the marketplace and subscribes", async () => {
  await signIn("bob");
  await nav("Marketplace").click();
  await page.getByLabel("Search").fill("onerror");
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByRole("link", { name: XSS_NAME }).click();
  await page.waitForURL(/\/marketplace\/wf_/);
  await shot("marketplace-workflow");
  await page.getByRole("button", { name: "Subscribe" }).click();
  await page.getByText("Subscribed", { exact: true }).waitFor();
  assert.equal(await page.getByRole("button", { name: "Fork" }).count(), 1);
  await page.goto(`${server.url}/marketplace`);
  await shot("marketplace");
  await nav("Library").click();
  assert.equal(await page.getByRole("link", { name: XSS_NAME }).count(), 1);
  await shot("library");
});

let endpoint;

test("create a deployment, copy its Claude Code snippet, and see an MCP connection counted", async () => {
  await nav("Deployments").click();
  await page.getByRole("button", { name: "New deployment" }).click();
  await page.getByLabel("Name", { exact: true }).fill("Bob's tools");
  await page.getByLabel(XSS_NAME).check();
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(/\/deployments\/dep_/);
  endpoint = await page.locator("#mcp-endpoint").innerText();
  const claude = page.getByRole("region", { name: "Claude Code" });
  await claude.getByRole("button", { name: "Copy" }).click();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, `claude mcp add --transport http hydra ${endpoint} --header "Authorization: Bearer $HYDRA_TOKEN"`);
  assert.equal(await page.locator("#usage-total").innerText(), "0");

  const token = await devToken("bob");
  const client = new Client({ name: "claude-code", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(endpoint), { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
  await client.connect(transport);
  const { prompts } = await client.listPrompts();
  assert.ok(prompts.length >= 1);
  await client.close();

  await page.reload();
  assert.equal(await page.locator("#usage-total").innerText(), "1");
  assert.equal(await page.locator("svg.chart rect.a-claude").count(), 1);
  await shot("deployment");
  await nav("Deployments").click();
  await shot("deployments");
});

test("start a run, approve the exact parameters in the live view, see it finish", async () => {
  await page.goto(workflowUrl);
  await page.getByRole("button", { name: "Start run" }).click();
  await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
  const runId = new URL(page.url()).pathname.split("/").pop();
  assert.equal((await performNextAction("bob", runId)).action, "analyze_code");
  const approve = page.getByRole("button", { name: "Approve" });
  await approve.waitFor({ state: "visible", timeout: 20_000 });
  assert.equal(await page.getByRole("button", { name: "Deny" }).count(), 1);
  assert.equal(await page.getByRole("button", { name: "Cancel" }).count(), 1);
  const params = JSON.parse(await page.locator("#approval [data-field=parameters]").innerText());
  assert.deepEqual(params, { message: "fix: login bug" });
  assert.equal(await page.locator("#approval [data-field=action]").innerText(), "review_and_commit");
  await shot("run-approval");
  await approve.click();
  assert.equal((await performNextAction("bob", runId)).action, "review_and_commit");
  await page.locator("#run-status", { hasText: "completed" }).waitFor({ timeout: 20_000 });
  assert.ok((await page.locator("#events li").count()) > 0);
  assert.equal(await page.locator("svg.graph g.s-completed").count() >= 1, true);
  await shot("run");
  await nav("Runs").click();
  await shot("runs");
});

test("create an API key (shown once), then revoke it", async () => {
  await nav("API keys").click();
  await page.getByLabel("Name", { exact: true }).fill("ci");
  await page.getByRole("button", { name: "Create key" }).click();
  const key = await page.locator("#new-api-key").innerText();
  assert.match(key, /^hk_/);
  await shot("api-keys-created");
  const res = await fetch(`${server.url}/v1/users/me`, { headers: { Authorization: `Bearer ${key}` } });
  assert.equal(res.status, 200);
  await page.goto(`${server.url}/api-keys`);
  assert.equal(await page.locator("#new-api-key").count(), 0);
  await page.getByRole("row", { name: /ci/ }).getByRole("button", { name: "Revoke" }).click();
  await page.waitForURL(`${server.url}/api-keys`);
  assert.equal(await page.getByRole("row", { name: /ci/ }).count(), 0);
  const after = await fetch(`${server.url}/v1/users/me`, { headers: { Authorization: `Bearer ${key}` } });
  assert.equal(after.status, 401);
  await shot("api-keys");
});

test("billing, account and API reference pages; readable at 375 px", async () => {
  await nav("Billing").click();
  await page.getByText("Billing is not configured").waitFor();
  await shot("billing");
  await page.goto(`${server.url}/account`);
  await shot("account");
  await page.goto(`${server.url}/docs`);
  assert.ok((await page.locator("section.card").count()) > 10);
  await shot("docs");
  await page.setViewportSize({ width: 375, height: 800 });
  for (const path of ["/workflows", "/deployments"]) {
    await page.goto(`${server.url}${path}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${path} overflows by ${overflow}px at 375 px`);
  }
  await shot("mobile-deployments");
  await page.setViewportSize({ width: 1100, height: 800 });
});

test("keyboard: Tab reaches the skip link first and focus is visible", async () => {
  await page.goto(`${server.url}/workflows`);
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Skip to content");
  await page.keyboard.press("Tab");
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, "none");
});

test("unknown pages get the dashboard's 404 page", async () => {
  const before = problems.length;
  const res = await page.goto(`${server.url}/no-such-page`);
  problems.splice(before); // the browser logs the intended 404 itself
  assert.equal(res.status(), 404);
  await page.getByRole("heading", { name: "Page not found" }).waitFor();
  await shot("not-found");
});

test("sign out ends the session; no console errors or dialogs on the way", async () => {
  await page.goto(`${server.url}/workflows`);
  const cookie = (await context.cookies()).find((c) => c.name === "hydra_session");
  assert.ok(cookie?.httpOnly);
  assert.equal(cookie.sameSite, "Lax");
  await signOut();
  await page.goto(`${server.url}/workflows`);
  assert.match(page.url(), /\/sign-in/);
  // The old cookie is revoked server-side too, not just deleted from this browser.
  const replay = await fetch(`${server.url}/workflows`, { headers: { cookie: `hydra_session=${cookie.value}` }, redirect: "manual" });
  assert.equal(replay.status, 303);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(problems, []);
});
