import { AppConfigError } from "../../../src/index.ts";

/**
 * The development default of `SAGAQL_JWT_SECRET`: public on purpose (it is in the README), so anyone can sign
 * tokens for a local server; a production start refuses to run without a secret of its own.
 */
export const DEVELOPMENT_JWT_SECRET = "sagaql-checkout-example-development-secret-not-for-production";

export interface JwtSecret {
  secret: string;
  /** True when no `SAGAQL_JWT_SECRET` was given and the development default is used. */
  isDevelopmentDefault: boolean;
}

/** `SAGAQL_JWT_SECRET`, required when `NODE_ENV=production`, at least 32 bytes as HS256 calls for. */
export function jwtSecretFrom(env: NodeJS.ProcessEnv): JwtSecret {
  const given = env.SAGAQL_JWT_SECRET?.trim();
  if (!given) {
    if (env.NODE_ENV === "production") {
      throw new AppConfigError(
        "SAGAQL_JWT_SECRET is required when NODE_ENV=production: set it to a random secret of at least 32 bytes (e.g. `openssl rand -base64 48`)",
      );
    }
    return { secret: DEVELOPMENT_JWT_SECRET, isDevelopmentDefault: true };
  }
  if (new TextEncoder().encode(given).byteLength < 32)
    throw new AppConfigError("SAGAQL_JWT_SECRET must be at least 32 bytes long (e.g. `openssl rand -base64 48`)");
  return { secret: given, isDevelopmentDefault: false };
}
