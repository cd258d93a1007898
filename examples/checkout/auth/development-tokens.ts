import { createHmac } from "node:crypto";
import type { CheckoutUser } from "./checkout-user.ts";
import { demoCustomers } from "../seed-data.ts";

/** How long the printed development tokens stay valid, in seconds: long enough for GraphiQL's saved headers. */
const DEVELOPMENT_TOKEN_SECONDS = 30 * 24 * 60 * 60;

/**
 * An HS256 JWT for `user`, signed synchronously (the config is built synchronously; `signJwt` is async). Only for
 * the development headers `npm start` prints: production tokens come from the app's identity provider.
 */
export function signDevelopmentToken(
  user: CheckoutUser,
  secret: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const unsigned = `${encode({ alg: "HS256", typ: "JWT" })}.${encode({ ...user, iat: nowSeconds, exp: nowSeconds + DEVELOPMENT_TOKEN_SECONDS })}`;
  return `${unsigned}.${createHmac("sha256", secret).update(unsigned).digest("base64url")}`;
}

export interface DevelopmentTokens {
  /** The first demo customer's. */
  customer: string;
  admin: string;
}

/** The seeded demo customer's token and an admin's, for GraphiQL and the runs console in development. */
export function developmentTokens(secret: string): DevelopmentTokens {
  return {
    customer: signDevelopmentToken({ sub: demoCustomers[0].id, role: "customer" }, secret),
    admin: signDevelopmentToken({ sub: "admin", role: "admin" }, secret),
  };
}
