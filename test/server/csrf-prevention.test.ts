import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { placeholderSchema } from "../helpers/placeholder-schema.ts";
import { startTestServer, type TestServer } from "../helpers/start-test-server.ts";

describe("CSRF prevention", () => {
  let running: TestServer;
  beforeAll(async () => {
    running = await startTestServer({ schema: placeholderSchema(), graphiql: false });
  });
  afterAll(() => running.server.close());

  const getUrl = () => `${running.address.graphqlUrl}?query=${encodeURIComponent("{ hello }")}`;

  it("refuses a GET query without the CSRF header, as a cross-site <img> or link would send it", async () => {
    const response = await fetch(getUrl(), { headers: { accept: "application/json" } });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ errors: [{ message: "Required CSRF header(s) not present" }] });
  });

  it("answers a GET query that carries the header", async () => {
    const response = await fetch(getUrl(), { headers: { accept: "application/json", "x-graphql-yoga-csrf": "1" } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { hello: "hello world" } });
  });

  it("refuses a form-encoded POST, which browsers send cross-site without a preflight", async () => {
    const response = await fetch(running.address.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `query=${encodeURIComponent('mutation { echo(text: "hi") }')}`,
    });
    expect(response.status).toBe(403);
  });

  it("lets JSON POSTs through without the header", async () => {
    const response = await fetch(running.address.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ hello }" }),
    });
    expect(response.status).toBe(200);
  });

  it("never runs a mutation sent by GET", async () => {
    const url = `${running.address.graphqlUrl}?query=${encodeURIComponent('mutation { echo(text: "hi") }')}`;
    const response = await fetch(url, { headers: { accept: "application/json", "x-graphql-yoga-csrf": "1" } });
    expect(response.status).toBe(405);
  });
});
