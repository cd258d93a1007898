/**
 * Development tokens for the checkout example, signed with its development secret (what `npm start` prints):
 * an admin for seeding and product writes, the demo customers for their own orders and checkouts.
 */
import { signDevelopmentToken } from "../../examples/checkout/auth/development-tokens.ts";
import { DEVELOPMENT_JWT_SECRET } from "../../examples/checkout/auth/jwt-secret.ts";
import { demoCustomers } from "../../examples/checkout/seed-data.ts";

/** The seeded demo customers' ids: the `sub` of their tokens. */
export const CUSTOMER_A = demoCustomers[0].id;
export const CUSTOMER_B = demoCustomers[1].id;

export function customerToken(sub: string = CUSTOMER_A): string {
  return signDevelopmentToken({ sub, role: "customer" }, DEVELOPMENT_JWT_SECRET);
}

export function adminToken(): string {
  return signDevelopmentToken({ sub: "admin", role: "admin" }, DEVELOPMENT_JWT_SECRET);
}

/** A token that ran out an hour ago (well past the verifier's few seconds of clock leeway). */
export function expiredToken(sub: string = CUSTOMER_A): string {
  const thirtyOneDaysAgo = Math.floor(Date.now() / 1000) - 31 * 24 * 60 * 60;
  return signDevelopmentToken({ sub, role: "customer" }, DEVELOPMENT_JWT_SECRET, thirtyOneDaysAgo);
}

/** `{ authorization: "Bearer …" }`, to spread into a request's headers. */
export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

export const adminHeaders = (): { authorization: string } => bearer(adminToken());
export const customerHeaders = (sub: string = CUSTOMER_A): { authorization: string } => bearer(customerToken(sub));

/** What the bearer context gives an admin's request: for `runAction` called directly, past the GraphQL layer. */
export const ADMIN_REQUEST = { user: { sub: "admin", role: "admin" } } as const;
