import type { Child } from "hono/jsx";
import type { FieldIssue } from "../http/validate";

/** Every list screen's table: a scrollable wrapper, column headers, then the caller's rows. */
export function DataTable({ head, children }: { head: Child[]; children?: Child }) {
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            {head.map((label) => (
              <th scope="col">{label}</th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

export const Csrf = ({ token }: { token: string }) => <input type="hidden" name="_csrf" value={token} />;

/** Issues for one form field: those whose path is the field or starts with it. */
export function issuesFor(issues: FieldIssue[], field: string): FieldIssue[] {
  return issues.filter((i) => i.path === field || i.path.startsWith(`${field}.`));
}

/** Errors rendered next to their field; `strip` drops the field prefix (`manifest.steps.1` → `steps.1`). */
export function FieldErrors({ id, issues, field }: { id: string; issues: FieldIssue[]; field: string }) {
  const mine = issuesFor(issues, field);
  if (mine.length === 0) return null;
  return (
    <div class="error" id={id}>
      <ul>
        {mine.map((i) => {
          const path = i.path === field ? "" : i.path.slice(field.length + 1);
          return (
            <li>
              {path ? <code>{path}</code> : null}
              {path ? ": " : ""}
              {i.message}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

/** aria attributes wiring a control to its error list. */
export const invalidProps = (issues: FieldIssue[], field: string, errorId: string) =>
  issuesFor(issues, field).length > 0 ? { "aria-invalid": "true", "aria-describedby": errorId } : {};

export function Alert({ kind, children }: { kind?: "bad" | "good"; children?: Child }) {
  return (
    <div class={`alert ${kind ?? ""}`} role={kind === "bad" ? "alert" : "status"}>
      {children}
    </div>
  );
}

export const Badge = ({ value }: { value: string }) => <span class={`badge ${value}`}>{value}</span>;

/** A block of text with a one-click Copy button (the button appears once the script runs). */
export function CopyBlock({ id, text, label }: { id: string; text: string; label?: string }) {
  return (
    <div class="snippet">
      <div class="row">
        {label ? <h3 id={`${id}-label`}>{label}</h3> : <span></span>}
        <button type="button" data-copy={id} hidden aria-describedby={label ? `${id}-label` : undefined}>
          Copy
        </button>
      </div>
      <pre id={id} tabindex={0} aria-label={label ? `${label} snippet` : undefined}>
        {text}
      </pre>
    </div>
  );
}

/** "Next page" link that keeps the other query parameters. */
export function Pager({ base, params, nextCursor }: { base: string; params: Record<string, string | undefined>; nextCursor: string | null }) {
  if (!nextCursor) return null;
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) query.set(k, v);
  query.set("cursor", nextCursor);
  return (
    <p>
      <a href={`${base}?${query.toString()}`} rel="next">
        Next page →
      </a>
    </p>
  );
}

export const formatDate = (iso: string | null | undefined) => (iso ? iso.slice(0, 16).replace("T", " ") + " UTC" : "—");

/** A destructive action behind a disclosure: nothing happens on the first click. */
export function ConfirmDelete({ action, csrf, summary, explain, button }: { action: string; csrf: string; summary: string; explain: string; button: string }) {
  return (
    <details class="confirm">
      <summary>{summary}</summary>
      <p>{explain}</p>
      <form method="post" action={action}>
        <Csrf token={csrf} />
        <button type="submit" class="danger">
          {button}
        </button>
      </form>
    </details>
  );
}
