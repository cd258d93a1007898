import { SignJWT, type JWTPayload } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { jwtBearer } from "../../src/server/jwt-bearer.ts";
import { signJwt } from "../../src/server/sign-jwt.ts";
import { postGraphQL } from "../helpers/graphql-request.ts";
import { placeholderSchema } from "../helpers/placeholder-schema.ts";
import { startTestServer, type TestServer } from "../helpers/start-test-server.ts";

const SECRET = "a-test-secret-of-at-least-32-bytes!!";

describe("jwtBearer", () => {
  let running: TestServer | undefined;
  afterEach(async () => {
    await running?.server.close();
    running = undefined;
  });

  /** A server whose `user` field answers what `toUser` made of the verified claims (the `sub` by default). */
  async function serve(toUser?: (claims: JWTPayload) => unknown) {
    running = await startTestServer({
      schema: placeholderSchema(),
      graphiql: false,
      requestContext: jwtBearer({ secret: SECRET, toUser: toUser ?? ((claims) => claims.sub) }),
    });
    return running.address.graphqlUrl;
  }

  const ask = (url: string, authorization?: string) =>
    postGraphQL<{ user: string | null }>(url, "{ user }", {}, authorization === undefined ? {} : { authorization });

  it("gives rules the verified subject, and no header means an anonymous caller", async () => {
    const url = await serve();
    expect((await ask(url, `Bearer ${await signJwt({ sub: "cus_1" }, { secret: SECRET })}`)).body).toEqual({
      data: { user: "cus_1" },
    });
    expect((await ask(url)).body).toEqual({ data: { user: null } });
  });

  it.each([
    [
      "an expired token",
      async () => `Bearer ${await signJwt({ sub: "cus_1" }, { secret: SECRET, expiresIn: -60 })}`,
      "the token has expired",
    ],
    [
      "a token signed with another secret",
      async () => `Bearer ${await signJwt({ sub: "cus_1" }, { secret: "another-secret-also-32-bytes-long!!" })}`,
      "the token is not valid",
    ],
    [
      "an unsigned token (alg none)",
      async () => `Bearer ${unsigned({ sub: "admin", role: "admin" })}`,
      "the token is not valid",
    ],
    [
      "a token of another algorithm",
      async () =>
        `Bearer ${await new SignJWT({ sub: "cus_1" }).setProtectedHeader({ alg: "HS512" }).sign(new TextEncoder().encode(SECRET))}`,
      "the token is not valid",
    ],
    ["garbage", async () => "Bearer not.a.jwt", "the token is not valid"],
    ["another scheme", async () => "Basic YWRhOmh1bnRlcjI=", "the Authorization header must be `Bearer <token>`"],
  ])("refuses %s with UNAUTHENTICATED and HTTP 401, before any resolver runs", async (_what, header, why) => {
    const url = await serve();
    const response = await postGraphQL(url, 'mutation { echo(text: "ran") }', {}, { authorization: await header() });
    expect(response.status).toBe(401);
    expect(response.body.data ?? null).toBeNull();
    expect(response.body.errors?.[0]).toMatchObject({
      message: expect.stringContaining(why),
      extensions: { code: "UNAUTHENTICATED" },
    });
  });

  it("refuses a token whose claims toUser rejects", async () => {
    const url = await serve((claims) => {
      if (claims.role !== "customer" && claims.role !== "admin")
        throw new Error(`unknown role "${String(claims.role)}"`);
      return claims.sub;
    });
    const response = await ask(url, `Bearer ${await signJwt({ sub: "x", role: "root" }, { secret: SECRET })}`);
    expect(response.status).toBe(401);
    expect(response.body.errors?.[0]?.message).toContain('unknown role "root"');
  });

  it("refuses a secret too short to be safe when the server is built", () => {
    expect(() => jwtBearer({ secret: "short" })).toThrow("at least 32 bytes");
  });
});

function unsigned(claims: JWTPayload): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${encode({ alg: "none", typ: "JWT" })}.${encode({ ...claims, exp: Math.floor(Date.now() / 1000) + 600 })}.`;
}
