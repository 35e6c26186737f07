export const START = "<!-- errors-table:start (npm run docs:errors) -->";
export const END = "<!-- errors-table:end -->";

/** The README's markdown table of every error code, from `{code: {status, description}}`. */
export function errorTable(errors) {
  const rows = Object.entries(errors).map(([code, { status, description }]) => `| ${code} | ${status} | ${description} |`);
  return ["| code | status | meaning |", "|---|---|---|", ...rows].join("\n");
}

export function replaceErrorTable(readme, table) {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START} … ${END} markers`);
  return `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`;
}
