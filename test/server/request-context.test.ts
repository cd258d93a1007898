import { afterEach, describe, expect, it } from "vitest";
import { postGraphQL } from "../helpers/graphql-request.ts";
import { placeholderSchema } from "../helpers/placeholder-schema.ts";
import { startTestServer, type TestServer } from "../helpers/start-test-server.ts";

describe("request context and request logging", () => {
  let running: TestServer | undefined;
  afterEach(async () => {
    await running?.server.close();
    running = undefined;
  });

  it("gives resolvers the request's headers and the fields the requestContext factory adds", async () => {
    running = await startTestServer({
      schema: placeholderSchema(),
      graphiql: false,
      requestContext: (request) => ({ user: request.headers.get("authorization")?.replace("Bearer ", "") }),
    });
    const response = await postGraphQL(
      running.address.graphqlUrl,
      '{ user header(name: "x-tenant") }',
      {},
      { authorization: "Bearer ada", "x-tenant": "acme" },
    );
    expect(response.body).toEqual({ data: { user: "ada", header: "acme" } });
  });

  it("refuses a requestContext field that would hide one of the request's own", async () => {
    running = await startTestServer({
      schema: placeholderSchema(),
      graphiql: false,
      requestContext: () => ({ headers: {} }),
    });
    const response = await postGraphQL(running.address.graphqlUrl, "{ hello }");
    expect(response.body.errors?.[0]?.message).toBe("Unexpected error.");
    expect(
      running.logs.find((line) =>
        String((line.err as { message?: string } | undefined)?.message).includes(
          'would hide the request\'s own "headers"',
        ),
      ),
    ).toBeDefined();
  });

  it("logs each request once it completes, with its id, operation, status and duration", async () => {
    running = await startTestServer({ schema: placeholderSchema(), graphiql: false });
    const response = await postGraphQL(running.address.graphqlUrl, "query Greeting { hello }");
    const reqId = response.headers.get("x-request-id");
    expect(reqId).toMatch(/^[0-9a-f-]{36}$/);
    const completed = running.logs.find((line) => line.msg === "request completed" && line.reqId === reqId);
    expect(completed).toMatchObject({
      level: 30,
      method: "POST",
      path: "/graphql",
      status: 200,
      operation: "Greeting",
      ms: expect.any(Number),
    });
  });

  it("keeps a caller's well-formed x-request-id and replaces a malformed one", async () => {
    running = await startTestServer({ schema: placeholderSchema(), graphiql: false });
    const kept = await postGraphQL(running.address.graphqlUrl, "{ hello }", {}, { "x-request-id": "trace-42.a" });
    expect(kept.headers.get("x-request-id")).toBe("trace-42.a");
    const replaced = await postGraphQL(
      running.address.graphqlUrl,
      "{ hello }",
      {},
      { "x-request-id": "bad id\twith tab" },
    );
    expect(replaced.headers.get("x-request-id")).not.toContain("bad");
  });
});
