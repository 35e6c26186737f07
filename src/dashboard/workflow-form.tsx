import { z } from "zod";
import type { FieldIssue } from "../http/validate";
import { issuesOf } from "../http/validate";
import { Alert, Csrf, FieldErrors, invalidProps } from "./components";

export interface WorkflowFormValues {
  name: string;
  description: string;
  visibility: string;
  category: string;
  tags: string;
  manifest: string;
  changelog: string;
}

export const emptyWorkflowForm: WorkflowFormValues = {
  name: "",
  description: "",
  visibility: "private",
  category: "",
  tags: "",
  manifest: JSON.stringify(
    {
      manifest_version: "1.0",
      name: "My workflow",
      steps: [
        { id: "analyze", name: "Analyze the code", action: "analyze_code" },
        { id: "implement", name: "Implement the change", action: "code_agent", depends_on: ["analyze"] },
      ],
    },
    null,
    2,
  ),
  changelog: "",
};

export const formValuesOf = (fields: Record<string, string>): WorkflowFormValues => ({
  name: fields.name ?? "",
  description: fields.description ?? "",
  visibility: fields.visibility ?? "private",
  category: fields.category ?? "",
  tags: fields.tags ?? "",
  manifest: fields.manifest ?? "",
  changelog: fields.changelog ?? "",
});

/**
 * The form as the API's request body, validated by the API's own schema (so the page and
 * `POST /v1/workflows` reject exactly the same input, with the same paths).
 */
export function parseWorkflowForm<T extends z.ZodType>(values: WorkflowFormValues, schema: T): { input?: z.infer<T>; issues: FieldIssue[] } {
  let manifest: unknown;
  try {
    manifest = JSON.parse(values.manifest);
  } catch (err) {
    return { issues: [{ path: "manifest", message: `not valid JSON (${(err as Error).message})` }] };
  }
  const body = {
    name: values.name,
    description: values.description.trim() === "" ? null : values.description,
    visibility: values.visibility,
    category: values.category.trim() === "" ? null : values.category,
    tags: values.tags.split(",").map((t) => t.trim()).filter((t) => t.length > 0),
    manifest,
    ...(values.changelog.trim() ? { changelog: values.changelog } : {}),
  };
  const parsed = schema.safeParse(body);
  return parsed.success ? { input: parsed.data, issues: [] } : { issues: issuesOf(parsed.error) };
}

const LABELS: Record<string, string> = {
  name: "Name",
  description: "Description",
  visibility: "Visibility",
  category: "Category",
  tags: "Tags",
  manifest: "Manifest",
  changelog: "Changelog",
};

function Field({ id, label, issues, hint, children }: { id: string; label: string; issues: FieldIssue[]; hint?: string; children: unknown }) {
  return (
    <div>
      <label for={id}>{label}</label>
      {children as never}
      {hint ? (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      <FieldErrors id={`${id}-error`} issues={issues} field={id} />
    </div>
  );
}

const describedBy = (issues: FieldIssue[], field: string, hint?: boolean) => {
  const props = invalidProps(issues, field, `${field}-error`) as Record<string, string>;
  const ids = [hint ? `${field}-hint` : "", props["aria-describedby"] ?? ""].filter(Boolean).join(" ");
  return { ...props, ...(ids ? { "aria-describedby": ids } : {}) };
};

export function WorkflowForm({
  action,
  csrf,
  values,
  issues,
  message,
  editing,
}: {
  action: string;
  csrf: string;
  values: WorkflowFormValues;
  issues: FieldIssue[];
  message?: string;
  editing: boolean;
}) {
  const known = new Set(["name", "description", "visibility", "category", "tags", "manifest", "changelog"]);
  return (
    <form method="post" action={action} novalidate>
      <Csrf token={csrf} />
      {message ? <Alert kind="bad">{message}</Alert> : null}
      {issues.length > 0 ? (
        <Alert kind="bad">
          {issues.length === 1 ? "1 problem" : `${issues.length} problems`} to fix before saving:
          {" "}
          {[...new Set(issues.map((i) => i.path.split(".")[0]!))].map((field, n) => (
            <>
              {n > 0 ? ", " : ""}
              {/* Names the field only; the exact path is shown next to the field itself. */}
              {known.has(field) ? <a href={`#${field}`}>{LABELS[field] ?? field}</a> : <span>{field}</span>}
            </>
          ))}
        </Alert>
      ) : null}
      <Field id="name" label="Name" issues={issues}>
        <input id="name" name="name" type="text" value={values.name} required maxlength={200} {...describedBy(issues, "name")} />
      </Field>
      <Field id="description" label="Description" issues={issues}>
        <input id="description" name="description" type="text" value={values.description} maxlength={2000} {...describedBy(issues, "description")} />
      </Field>
      <Field id="visibility" label="Visibility" issues={issues} hint="Public workflows appear in the marketplace.">
        <select id="visibility" name="visibility" {...describedBy(issues, "visibility", true)}>
          <option value="private" selected={values.visibility !== "public"}>
            Private
          </option>
          <option value="public" selected={values.visibility === "public"}>
            Public
          </option>
        </select>
      </Field>
      <Field id="category" label="Category" issues={issues}>
        <input id="category" name="category" type="text" value={values.category} maxlength={50} {...describedBy(issues, "category")} />
      </Field>
      <Field id="tags" label="Tags" issues={issues} hint="Comma-separated, e.g. bug-fix, testing">
        <input id="tags" name="tags" type="text" value={values.tags} {...describedBy(issues, "tags", true)} />
      </Field>
      <Field id="manifest" label="Manifest" issues={issues} hint="HMS v1.0 JSON: manifest_version, name and steps (id, name, action, depends_on).">
        <textarea id="manifest" name="manifest" rows={16} spellcheck={false} {...describedBy(issues, "manifest", true)}>
          {values.manifest}
        </textarea>
      </Field>
      {editing ? (
        <Field id="changelog" label="Changelog" issues={issues} hint="Stored with the new version when the manifest changes.">
          <input id="changelog" name="changelog" type="text" value={values.changelog} maxlength={2000} {...describedBy(issues, "changelog", true)} />
        </Field>
      ) : null}
      <p>
        <button type="submit" class="primary">
          Save
        </button>
      </p>
    </form>
  );
}
