import { describe, expect, it } from "vitest";
import readme from "../README.md?raw";
import { END, START, errorTable, replaceErrorTable } from "../scripts/lib/error-table.mjs";
import { ERRORS } from "../src/errors";

describe("README error table", () => {
  it("is the one generated from the error catalogue (run npm run docs:errors)", () => {
    expect(readme).toContain(START);
    expect(readme).toContain(END);
    expect(replaceErrorTable(readme, errorTable(ERRORS))).toBe(readme);
  });

  it("lists every code once, with its status", () => {
    const table = errorTable(ERRORS);
    for (const [code, { status }] of Object.entries(ERRORS)) expect(table).toContain(`| ${code} | ${status} |`);
    expect(table.split("\n")).toHaveLength(Object.keys(ERRORS).length + 2);
  });
});
