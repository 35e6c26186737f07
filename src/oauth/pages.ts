import type { ConsentDescription } from "@cloudflare/workers-oauth-provider";
import type { DeploymentRecord } from "../deployments/record";

/** Client names, scopes and deployment names are chosen by others: everything is escaped. */
const escape = (value: string) => value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** No script, no external resource, no framing. No form-action: approving redirects to the IDE's loopback URL. */
export const PAGE_HEADERS: Record<string, string> = {
  "Content-Type": "text/html; charset=utf-8",
  "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-store",
};

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}
dt{font-weight:600}dd{margin:0 0 .75rem}code{background:#f2f2f2;padding:0 .2rem}
input[type=password]{width:100%;padding:.4rem;font:inherit}button{font:inherit;padding:.4rem 1.2rem;margin-right:.5rem}
.warn{background:#fff4e5;padding:.5rem .75rem}`;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>`;
}

export interface ConsentPageInput {
  details: ConsentDescription;
  deployment: Pick<DeploymentRecord, "deploymentId" | "name">;
  handle: string;
  /** The page asks for a pasted token (no hosted login configured). */
  askForToken: boolean;
  /** Who the browser's dashboard session belongs to: approving then signs in as them. */
  signedInAs?: string | null;
}

export function consentPage({ details, deployment, handle, askForToken, signedInAs }: ConsentPageInput): string {
  const client = escape(details.clientName);
  const publisher = details.clientDomain
    ? `published by <strong>${escape(details.clientDomain)}</strong>`
    : "it registered itself, so its name is not verified";
  const loopback = details.redirectIsLoopback
    ? `<p class="warn">Access goes to an app on this computer. Continue only if you just started signing in from your IDE.</p>`
    : "";
  const token = signedInAs
    ? `<p>You are signed in to Hydra Edge as <strong>${escape(signedInAs)}</strong>; approving connects the IDE as this account.</p>`
    : askForToken
    ? `<p><label for="token">Token</label><br>
<input id="token" name="token" type="password" autocomplete="off" required>
<br><small>A dev token (<code>npm run token</code>) or an API key (<code>hk_…</code>) of the deployment's owner.</small></p>`
    : `<p>Approving takes you to your identity provider to sign in.</p>`;
  return layout(
    `Connect ${details.clientName} to ${deployment.name}`,
    `<h1>Allow ${client} to use this deployment?</h1>
<dl>
<dt>Deployment</dt><dd>${escape(deployment.name)} (<code>${escape(deployment.deploymentId)}</code>)</dd>
<dt>Client</dt><dd>${client}; ${publisher}</dd>
<dt>Access is sent to</dt><dd><strong>${escape(details.redirectHost)}</strong></dd>
<dt>It can</dt><dd>use this deployment's MCP prompts, tools and resources, nothing else of your account</dd>
</dl>
${loopback}
<form method="post" action="/authorize">
<input type="hidden" name="handle" value="${escape(handle)}">
${token}
<p><button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny" formnovalidate>Deny</button></p>
</form>`,
  );
}

/** An error shown to the person in the browser (never a redirect to an unverified client). */
export function messagePage(title: string, message: string): string {
  return layout(title, `<h1>${escape(title)}</h1><p>${escape(message)}</p>`);
}
