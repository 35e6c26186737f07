import type { Child } from "hono/jsx";
import { sessionLabel, type BrowserSession } from "../session";

/** The navigation landmark's links, in order; names are part of the dashboard's contract. */
export const NAV = [
  ["/workflows", "Workflows"],
  ["/marketplace", "Marketplace"],
  ["/library", "Library"],
  ["/deployments", "Deployments"],
  ["/runs", "Runs"],
  ["/api-keys", "API keys"],
  ["/billing", "Billing"],
] as const;

export interface PageProps {
  title: string;
  path: string;
  session: BrowserSession | null;
  children?: Child;
}

const isCurrent = (path: string, href: string) => path === href || path.startsWith(`${href}/`);

export function Layout({ title, path, session, children }: PageProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · Hydra Edge`}</title>
        <link rel="stylesheet" href="/assets/dashboard.css" />
        <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
        <script src="/assets/dashboard.js" defer></script>
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <a class="brand" href="/">
            Hydra Edge
          </a>
          {session ? (
            <nav aria-label="Main">
              <ul>
                {NAV.map(([href, label]) => (
                  <li>
                    <a href={href} aria-current={isCurrent(path, href) ? "page" : undefined}>
                      {label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          ) : null}
          {session ? (
            <div class="who">
              <a href="/account" aria-current={path === "/account" ? "page" : undefined}>
                {sessionLabel(session)}
              </a>
              <form method="post" action="/sign-out" class="inline">
                <input type="hidden" name="_csrf" value={session.csrfToken} />
                <button type="submit">Sign out</button>
              </form>
            </div>
          ) : null}
        </header>
        <main id="main" tabindex={-1}>
          {children}
        </main>
        <footer>
          <a href="/docs">API reference</a> · <a href="/openapi.json">OpenAPI document</a>
        </footer>
        <div id="live-status" class="visually-hidden" role="status" aria-live="polite"></div>
      </body>
    </html>
  );
}
