#!/usr/bin/env node
// A small workstation for Hydra runs: claims shell_execute / execute_command actions over /rpc,
// prints each one's instructions, runs its command only after you confirm it in this terminal,
// and reports the output. Every other action is left for an IDE agent (it is never claimed).
//
// Usage: npm run workstation -- [--run <run_id>] [--url http://localhost:8787] [--token <token or hk_ key>] [--once]
//   The token can also come from HYDRA_TOKEN, the URL from HYDRA_URL.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";

const usage = "Usage: npm run workstation -- [--run <run_id>] [--url http://localhost:8787] [--token <token>] [--once]";
const COMMAND_ACTIONS = ["shell_execute", "execute_command"];
const MAX_OUTPUT_BYTES = 64 * 1024;

let values;
try {
  ({ values } = parseArgs({
    options: {
      run: { type: "string" },
      url: { type: "string", default: process.env.HYDRA_URL ?? "http://localhost:8787" },
      token: { type: "string", default: process.env.HYDRA_TOKEN },
      once: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  }));
} catch (err) {
  console.error(`${err.message}\n${usage}`);
  process.exit(1);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}
if (!values.token) {
  console.error(`A token is needed: --token or HYDRA_TOKEN (npm run --silent token -- --sub you)\n${usage}`);
  process.exit(1);
}

let nextId = 0;
async function call(method, params) {
  nextId += 1;
  const res = await fetch(new URL("/rpc", values.url), {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${values.token}` },
    body: JSON.stringify({ jsonrpc: "2.0", id: nextId, method, params }),
  });
  if (res.status === 401) throw new Error("The server refused the token (HTTP 401)");
  const body = await res.json();
  if (body.error) {
    const err = new Error(body.error.message);
    err.reason = body.error.data?.reason;
    throw err;
  }
  return body.result;
}

/** Runs a command in the shell, streaming it to this terminal, and keeps (the end of) its output. */
function runCommand(command) {
  return new Promise((resolve) => {
    const child = spawn(command, { shell: true, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const keep = (chunk) => {
      process.stdout.write(chunk);
      output = (output + chunk.toString("utf8")).slice(-MAX_OUTPUT_BYTES / 2);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", (err) => resolve({ code: 127, output: String(err) }));
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

// Lines typed (or piped) into the terminal, answered to questions in order; null once input ended.
const terminal = createInterface({ input: process.stdin });
const lines = [];
const readers = [];
let inputEnded = false;
terminal.on("line", (line) => (readers.length ? readers.shift()(line) : lines.push(line)));
terminal.on("close", () => {
  inputEnded = true;
  for (const read of readers.splice(0)) read(null);
});
function ask(question) {
  process.stdout.write(question);
  if (lines.length) return Promise.resolve(lines.shift());
  if (inputEnded) return Promise.resolve(null);
  return new Promise((resolve) => readers.push(resolve));
}
let stopping = false;
process.on("SIGINT", () => {
  stopping = true;
  terminal.close();
  process.exit(130);
});

async function handle(action) {
  console.log(`\n── ${action.name} (${action.action}, attempt ${action.attempt}) · run ${action.run_id}`);
  console.log(action.instructions);
  const command = typeof action.parameters.command === "string" ? action.parameters.command : null;
  if (!command) {
    await call("hydra.report_action", { action_id: action.action_id, outcome: "failed", error: "The action has no parameters.command to run" });
    console.log("No command in its parameters: reported as failed.");
    return;
  }
  // The lease runs while the user decides; keep it alive.
  const beat = setInterval(() => call("hydra.heartbeat_action", { action_id: action.action_id }).catch(() => undefined), 60_000);
  try {
    const answer = ((await ask(`Run \`${command}\` here? [y/N] `)) ?? "").trim().toLowerCase();
    if (answer !== "y" && answer !== "yes") {
      await call("hydra.report_action", { action_id: action.action_id, outcome: "failed", error: "The user declined to run the command" });
      console.log("Declined: reported as failed.");
      return;
    }
    const { code, output } = await runCommand(command);
    const outcome = code === 0 ? "succeeded" : "failed";
    const result = await call("hydra.report_action", {
      action_id: action.action_id,
      outcome,
      output: `$ ${command}\n(exit ${code})\n${output}`,
      ...(code === 0 ? {} : { error: `The command exited with ${code}` }),
    });
    console.log(`Reported ${outcome}; the step is ${result.status}.`);
  } finally {
    clearInterval(beat);
  }
}

async function main() {
  console.log(`Workstation on ${values.url}${values.run ? ` for run ${values.run}` : " for all of your runs"}; only ${COMMAND_ACTIONS.join(" and ")} actions are claimed.`);
  let lastWaiting = null;
  while (!stopping) {
    let result;
    try {
      result = await call("hydra.next_action", { ...(values.run ? { run_id: values.run } : {}), wait_seconds: 25, actions: COMMAND_ACTIONS });
    } catch (err) {
      if (err.reason === "not_active" || err.reason === "not_found") {
        console.log(`Run ${values.run}: ${err.message}. Done.`);
        break;
      }
      throw err;
    }
    if (result.action) {
      await handle(result.action);
      if (values.once) break;
      continue;
    }
    if (result.waiting_for && result.waiting_for.approval_id !== lastWaiting) {
      lastWaiting = result.waiting_for.approval_id;
      console.log(`Waiting for a person to approve "${result.waiting_for.description}": ${result.waiting_for.approve_url}`);
    }
    // With a run waiting for an approval the server answers at once; do not hammer it.
    if (result.waiting_for) await new Promise((r) => setTimeout(r, 5000));
  }
  terminal.close();
}

main().catch((err) => {
  console.error(`workstation: ${err.message}`);
  process.exit(1);
});
