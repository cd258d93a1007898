import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postGraphQL } from "../helpers/graphql-request.ts";
import { placeholderSchema } from "../helpers/placeholder-schema.ts";
import { startTestServer, type TestServer } from "../helpers/start-test-server.ts";

describe("unexpected resolver errors", () => {
  let running: TestServer;
  beforeAll(async () => {
    running = await startTestServer({ schema: placeholderSchema(), graphiql: false });
  });
  afterAll(() => running.server.close());

  it("are masked for the client", async () => {
    const response = await postGraphQL(running.address.graphqlUrl, "query Broken { broken }");
    expect(response.body.data).toEqual({ broken: null });
    expect(response.body.errors).toEqual([
      {
        message: "Unexpected error.",
        path: ["broken"],
        locations: expect.any(Array),
        extensions: { code: "INTERNAL_SERVER_ERROR" },
      },
    ]);
    expect(JSON.stringify(response.body)).not.toContain("hunter2");
  });

  it("are logged server-side with the original message, stack, field path and request id", async () => {
    const response = await postGraphQL(
      running.address.graphqlUrl,
      "query Broken { broken }",
      {},
      { "x-request-id": "masked-error-test" },
    );
    expect(response.headers.get("x-request-id")).toBe("masked-error-test");
    const errorLines = running.logs.lines.filter(
      (line) => line.msg === "unexpected error (masked for the client)" && line.reqId === "masked-error-test",
    );
    expect(errorLines).toHaveLength(1);
    const logged = errorLines[0];
    expect(logged).toMatchObject({
      level: 50,
      path: "broken",
      operation: "Broken",
      err: { message: expect.stringContaining("hunter2") },
    });
    expect((logged?.err as { stack: string }).stack).toContain("placeholder-schema.ts");
  });

  it("let deliberate GraphQLErrors through unchanged", async () => {
    const response = await postGraphQL(running.address.graphqlUrl, "{ refused }");
    expect(response.body.errors?.[0]).toMatchObject({
      message: "You may not read this",
      extensions: { code: "FORBIDDEN" },
    });
  });
});
