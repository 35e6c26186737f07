#!/usr/bin/env node
// Prints a dev token (HS256, signed with wrangler.toml's local DEV_AUTH_SECRET) that `npm start` accepts.
// Usage: npm run token -- --sub alice --email alice@example.com [--expires 24h]
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { SignJWT } from "jose";

const usage = "Usage: npm run --silent token -- --sub alice --email alice@example.com [--expires 24h]";
const fail = (message) => {
  // stdout carries only the token, so `TOKEN=$(npm run --silent token ...)` never captures an error.
  console.error(`${message}\n${usage}`);
  process.exit(1);
};

let values;
try {
  ({ values } = parseArgs({
    options: {
      sub: { type: "string", default: "dev-user" },
      email: { type: "string" },
      expires: { type: "string", default: "24h" },
    },
  }));
} catch (err) {
  fail(err.message);
}
if (!/^\d+\s*(s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks)$/i.test(values.expires)) {
  fail(`--expires must be a duration such as 30m, 2h or 7d (got '${values.expires}')`);
}

const toml = readFileSync(new URL("../wrangler.toml", import.meta.url), "utf8");
const topLevel = toml.split(/^\[/m)[0] + (toml.match(/^\[vars\][\s\S]*?(?=^\[)/m)?.[0] ?? "");
const read = (name) => topLevel.match(new RegExp(`^${name}\\s*=\\s*"([^"]*)"`, "m"))?.[1];
const secret = read("DEV_AUTH_SECRET");
const issuer = read("DEV_AUTH_ISSUER") ?? "hydra-dev";
if (!secret) {
  console.error("DEV_AUTH_SECRET is not set in wrangler.toml [vars]");
  process.exit(1);
}

const token = await new SignJWT({ email: values.email ?? `${values.sub}@example.com` })
  .setProtectedHeader({ alg: "HS256", typ: "JWT" })
  .setSubject(values.sub)
  .setIssuer(issuer)
  .setIssuedAt()
  .setExpirationTime(values.expires)
  .sign(new TextEncoder().encode(secret));
process.stdout.write(`${token}\n`);
