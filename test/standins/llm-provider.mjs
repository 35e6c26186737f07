// A local stand-in for an OpenAI-compatible chat completions API, bound to the Worker under
// test as the LLM_API egress binding (vitest.config.ts). No network is involved.
//
// A test scripts a scenario keyed by the model name it configures for its runs:
//   POST /__scenario {model, replies:[{content?, usage?, status?, body?, delayMs?}]}
// Chat calls for that model get replies[i] (the last one repeats). GET /__calls?model=…
// returns what the stand-in received: {method, path, authorization, body, aborted, answered}.
// The scenarios live in this stand-in's memory: it is a test double in one local process.

import { sleepUnlessAborted } from "./sleep.mjs";

const scenarios = new Map();

const json = (body, status = 200) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

async function chat(request) {
  const body = await request.json();
  const scenario = scenarios.get(body.model);
  const call = { method: request.method, path: new URL(request.url).pathname, authorization: request.headers.get("Authorization"), body, aborted: false, answered: false };
  if (!scenario) return json({ error: { message: `unknown model ${body.model}` } }, 404);
  scenario.calls.push(call);
  const reply = scenario.replies[Math.min(scenario.calls.length - 1, scenario.replies.length - 1)] ?? {};
  if (reply.delayMs) {
    call.aborted = await sleepUnlessAborted(reply.delayMs, request.signal);
    if (call.aborted) return json({ error: { message: "client went away" } }, 499);
  }
  call.answered = true;
  if (reply.status && reply.status >= 400) return json(reply.body ?? { error: { message: "stand-in failure" } }, reply.status);
  return json({
    id: `chatcmpl-${scenario.calls.length}`,
    object: "chat.completion",
    model: body.model,
    choices: [{ index: 0, message: { role: "assistant", content: reply.content ?? "" }, finish_reason: "stop" }],
    usage: reply.usage ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  });
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (request.method === "POST" && url.pathname === "/__scenario") {
      const { model, replies } = await request.json();
      scenarios.set(model, { replies, calls: [] });
      return json({ ok: true });
    }
    if (request.method === "GET" && url.pathname === "/__calls") {
      return json(scenarios.get(url.searchParams.get("model"))?.calls ?? []);
    }
    if (request.method === "POST" && url.pathname.endsWith("/chat/completions")) return chat(request);
    return json({ error: { message: "not found" } }, 404);
  },
};
