import { Hono } from "hono";
import type { AppEnv } from "../env";
import { PLANS } from "../plans";
import { getUserProfile } from "../users/service";
import { sessionLabel, sessionUser } from "../session";
import { render, seeOther } from "./http";
import { dbOf } from "../db/session";

export const homeScreen = new Hono<AppEnv>().get("/", async (c) => {
  const session = await sessionUser(c);
  if (!session) return seeOther(c, "/sign-in");
  const profile = await getUserProfile(dbOf(c), session.user.id);
  const limits = PLANS[session.user.plan].limits;
  const stat = (label: string, value: number, limit: number | null) => (
    <div class="stat">
      <b>{value}</b>
      {label}
      {limit !== null ? <span class="muted"> of {limit}</span> : null}
    </div>
  );
  return render(
    c,
    "Overview",
    <>
      <h1>Overview</h1>
      <p class="sub">
        Signed in as <strong>{sessionLabel(session)}</strong> on the {session.user.plan} plan.
      </p>
      <div class="stats">
        {stat("workflows", profile?.workflowCount ?? 0, limits.workflows)}
        {stat("deployments", profile?.deploymentCount ?? 0, limits.deployments)}
        {stat("subscriptions", profile?.subscriptionCount ?? 0, null)}
      </div>
      <h2>Get started</h2>
      <ol>
        <li>
          <a href="/workflows/new">Create a workflow</a> or find one to subscribe to in the <a href="/marketplace">marketplace</a>.
        </li>
        <li>
          <a href="/deployments/new">Deploy it</a> as an MCP server and paste the config snippet into Claude Code, Cursor or Codex.
        </li>
        <li>
          Start a run from a workflow's page and follow it live; approve risky steps as they come.
        </li>
      </ol>
    </>,
  );
});
