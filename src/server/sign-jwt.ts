import { SignJWT, type JWTPayload } from "jose";

export interface SignJwtOptions {
  /** The shared secret `jwtBearer` verifies with. */
  secret: string | Uint8Array;
  /** Lifetime, as jose reads it (`"2h"`, `"7d"`) or in seconds. @default "1h" */
  expiresIn?: string | number;
}

/**
 * An HS256 token `jwtBearer` accepts: for development headers, tests and scripts. Production tokens come from the
 * app's identity provider.
 */
/** The HMAC key of a shared secret, as both signing and verifying read it. */
export function hmacKey(secret: string | Uint8Array): Uint8Array {
  return typeof secret === "string" ? new TextEncoder().encode(secret) : secret;
}

export async function signJwt(claims: JWTPayload, options: SignJwtOptions): Promise<string> {
  const key = hmacKey(options.secret);
  const expiresIn = options.expiresIn ?? "1h";
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt()
    .setExpirationTime(typeof expiresIn === "number" ? Math.floor(Date.now() / 1000) + expiresIn : expiresIn)
    .sign(key);
}
