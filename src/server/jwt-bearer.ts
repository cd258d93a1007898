import { GraphQLError } from "graphql";
import { errors as joseErrors, jwtVerify, type JWTPayload } from "jose";
import type { RequestContext } from "../entity/define-action.ts";
import type { RequestContextFactory } from "./request-context.ts";
import { hmacKey } from "./sign-jwt.ts";

export interface JwtBearerOptions<User> {
  /** The shared secret the tokens are signed with (HMAC); at least 32 bytes, as HS256 calls for. */
  secret: string | Uint8Array;
  /** Algorithms accepted; a token signed otherwise (or with `none`) is refused. @default ["HS256"] */
  algorithms?: string[];
  /** Required `iss` claim. @default not checked */
  issuer?: string;
  /** Required `aud` claim. @default not checked */
  audience?: string;
  /** Leeway for `exp` and `nbf` between this server's clock and the issuer's, in seconds. @default 5 */
  clockToleranceSeconds?: number;
  /**
   * Turns verified claims into what rules see as `request.user`; throwing refuses the token (e.g. an unknown
   * role). @default the claims as they are
   */
  toUser?: (claims: JWTPayload) => User;
}

/**
 * A request context from `Authorization: Bearer <JWT>`: no header is an anonymous caller (`user` undefined); a
 * token that is malformed, badly signed, expired or not yet valid is refused before anything runs, with
 * `extensions.code` `UNAUTHENTICATED` and HTTP 401 — never silently treated as anonymous, so a client with a stale
 * token learns it instead of seeing an empty list.
 */
export function jwtBearer<User = JWTPayload>(options: JwtBearerOptions<User>): RequestContextFactory {
  const key = hmacKey(options.secret);
  if (key.byteLength < 32) throw new Error("jwtBearer: the secret must be at least 32 bytes long");
  const toUser = options.toUser ?? ((claims: JWTPayload) => claims as User);
  return async (request) => {
    const header = request.headers.get("authorization");
    if (header === null || header.trim() === "") return {};
    const token = /^Bearer\s+(\S+)$/i.exec(header.trim())?.[1];
    if (!token) throw unauthenticated("the Authorization header must be `Bearer <token>`");
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: options.algorithms ?? ["HS256"],
        issuer: options.issuer,
        audience: options.audience,
        clockTolerance: options.clockToleranceSeconds ?? 5,
      });
      return { user: toUser(payload) } as RequestContext;
    } catch (error) {
      throw unauthenticated(reason(error));
    }
  };
}

function reason(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return "the token has expired";
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `the token's "${error.claim}" claim is not accepted`;
  if (error instanceof joseErrors.JOSEError) return "the token is not valid";
  return error instanceof Error ? `the token is refused: ${error.message}` : "the token is refused";
}

function unauthenticated(why: string): GraphQLError {
  return new GraphQLError(`Not authenticated: ${why}. Send a valid token, or no Authorization header at all.`, {
    extensions: { code: "UNAUTHENTICATED", http: { status: 401 } },
  });
}
