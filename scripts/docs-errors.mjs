// Rewrites the README's error table (between the errors-table markers) from the one error
// catalogue, ERRORS in src/errors.ts. `npm run docs:errors`; test/docs-errors.test.ts fails when stale.
import { readFileSync, writeFileSync } from "node:fs";
import { errorTable, replaceErrorTable } from "./lib/error-table.mjs";

const { ERRORS } = await import("../src/errors.ts");
const readme = readFileSync("README.md", "utf8");
const updated = replaceErrorTable(readme, errorTable(ERRORS));
if (updated !== readme) writeFileSync("README.md", updated);
console.log(updated === readme ? "README error table is up to date" : "README error table rewritten");
