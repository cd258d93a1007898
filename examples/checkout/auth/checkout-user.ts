import type { RequestContext } from "../../../src/index.ts";

/** Who a verified token says the caller is: `sub` is the customer's id (an admin's is just a name). */
export interface CheckoutUser {
  sub: string;
  role: "customer" | "admin";
}

/** The caller behind a request, or undefined for an anonymous one (no Authorization header). */
export function callerOf(request: RequestContext): CheckoutUser | undefined {
  return (request as { user?: CheckoutUser }).user;
}

export function isAdmin(request: RequestContext): boolean {
  return callerOf(request)?.role === "admin";
}

/**
 * The rows of the caller's own: a customer's `{ <field>: sub }`; an anonymous caller's filter has `undefined`
 * there, which matches no row.
 */
export function ownRows<K extends string>(request: RequestContext, field: K): Record<K, string | undefined> {
  return { [field]: callerOf(request)?.sub } as Record<K, string | undefined>;
}

/** Verified claims → the caller; any other role, or a missing `sub`, refuses the token. */
export function checkoutUserFrom(claims: { sub?: unknown; role?: unknown }): CheckoutUser {
  if (typeof claims.sub !== "string" || claims.sub === "") throw new Error('the "sub" claim must name the customer');
  if (claims.role !== "customer" && claims.role !== "admin")
    throw new Error('the "role" claim must be "customer" or "admin"');
  return { sub: claims.sub, role: claims.role };
}
