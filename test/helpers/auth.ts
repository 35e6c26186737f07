import { env } from "cloudflare:test";
import { SignJWT } from "jose";

let counter = 0;

/** A fresh user identity per call, so tests never share state through a user. */
export function uniqueUser(label = "user") {
  counter += 1;
  const sub = `${label}-${counter}-${crypto.randomUUID().slice(0, 8)}`;
  return { sub, email: `${sub}@example.com` };
}

export async function devToken(
  sub: string,
  opts: { email?: string; expiresIn?: string | number; secret?: string; issuer?: string; notBefore?: string | number } = {},
) {
  const jwt = new SignJWT({ email: opts.email ?? `${sub}@example.com` })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(sub)
    .setIssuer(opts.issuer ?? env.DEV_AUTH_ISSUER!)
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn ?? "1h");
  if (opts.notBefore !== undefined) jwt.setNotBefore(opts.notBefore);
  // DEV_AUTH_SECRET and DEV_AUTH_ISSUER come from wrangler.toml [vars], which the test pool loads.
  return jwt.sign(new TextEncoder().encode(opts.secret ?? env.DEV_AUTH_SECRET!));
}

/** A new user with a valid dev token. */
export async function newUser(label = "user") {
  const identity = uniqueUser(label);
  return { ...identity, token: await devToken(identity.sub, { email: identity.email }) };
}
