import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../env";
import { toApiError } from "../errors";
import { render } from "./http";

/** Does the client want a page rather than JSON? Browsers send `Accept: text/html,…`. */
export const wantsHtml = (c: Context) => (c.req.header("Accept") ?? "").includes("text/html");

export function notFoundPage(c: Context<AppEnv>) {
  return render(
    c,
    "Page not found",
    <section class="card">
      <h1>Page not found</h1>
      <p class="sub">
        There is nothing at <code>{c.req.path}</code>, or it is not yours to see.
      </p>
      <p>
        <a href="/">Go to the overview</a>
      </p>
    </section>,
    404,
  );
}

/** Errors inside dashboard screens become pages; the generic message hides internals as the API does. */
export function errorPage(err: unknown, c: Context<AppEnv>) {
  const apiError = toApiError(err);
  if (apiError.code === "NOT_FOUND") return notFoundPage(c);
  if (apiError.code === "INTERNAL_ERROR") {
    c.get("log").error("dashboard page failed", { error: String(err), stack: (err as Error)?.stack });
  }
  return render(
    c,
    "Something went wrong",
    <section class="card">
      <h1>{apiError.code === "FORBIDDEN" ? "Not allowed" : apiError.code === "INTERNAL_ERROR" ? "Something went wrong" : "That did not work"}</h1>
      <p class="sub">{apiError.message}</p>
      <p>
        <a href={c.req.path}>Back</a> · <a href="/">Overview</a>
      </p>
    </section>,
    apiError.status as ContentfulStatusCode,
  );
}
