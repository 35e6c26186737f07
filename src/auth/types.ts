import type { Plan } from "../plans";

export interface AuthenticatedUser {
  id: string;
  email: string | null;
  plan: Plan;
  /** How the caller proved who they are; API keys cannot mint or list other keys' secrets. */
  via: "token" | "api_key";
}

export interface VerifiedIdentity {
  sub: string;
  email: string | null;
  /** The token's `iat` (unix seconds). */
  issuedAt: number;
}
