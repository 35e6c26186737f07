#!/usr/bin/env node
// Fails when src/db/schema.ts has changes no migration snapshot knows of: drizzle-kit generates
// into a scratch copy of migrations/ and must find nothing to do. Run by .ci/run.
// Keeps `npm run db:generate` producing only the next change, never a replay of hand-written SQL.
import { execFileSync } from "node:child_process";
import { cpSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// Inside the repository: drizzle-kit reads --out relative to the working directory.
const scratch = join(root, "dist/check-migrations");
rmSync(scratch, { recursive: true, force: true });
try {
  cpSync(join(root, "migrations"), scratch, { recursive: true });
  const output = execFileSync("npx", ["drizzle-kit", "generate", "--dialect", "sqlite", "--schema", "./src/db/schema.ts", "--out", "dist/check-migrations"], {
    cwd: root,
    encoding: "utf8",
  });
  if (!output.includes("No schema changes")) {
    console.error(output);
    console.error("src/db/schema.ts differs from migrations/meta: run `npm run db:generate` and commit the migration.");
    process.exit(1);
  }
  console.log("migrations: the drizzle snapshot matches src/db/schema.ts");
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
