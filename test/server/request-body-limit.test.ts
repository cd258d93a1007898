import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request as httpRequest } from "node:http";
import { placeholderSchema } from "../helpers/placeholder-schema.ts";
import { startTestServer, type TestServer } from "../helpers/start-test-server.ts";

const LIMIT = 10_000;

function echoBody(size: number): string {
  return JSON.stringify({ query: "mutation($t: String!) { echo(text: $t) }", variables: { t: "x".repeat(size) } });
}

/** Sends the body in chunks without a Content-Length, so only counting the bytes as they arrive can catch it. */
function postChunked(url: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      { method: "POST", headers: { "content-type": "application/json", "transfer-encoding": "chunked" } },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
      },
    );
    request.on("error", reject);
    for (let offset = 0; offset < body.length; offset += 1000) request.write(body.slice(offset, offset + 1000));
    request.end();
  });
}

describe("request body size limit", () => {
  let running: TestServer;
  beforeAll(async () => {
    running = await startTestServer({ schema: placeholderSchema(), graphiql: false, maxRequestBodySize: LIMIT });
  });
  afterAll(() => running.server.close());

  it("accepts a body under the limit", async () => {
    const response = await fetch(running.address.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: echoBody(LIMIT / 2),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: { echo: string } }).data.echo).toHaveLength(LIMIT / 2);
  });

  it("refuses a body whose Content-Length is over the limit with 413 and a clear message", async () => {
    const response = await fetch(running.address.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: echoBody(LIMIT * 3),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({
      errors: [{ message: "Request body too large", extensions: { code: "REQUEST_ENTITY_TOO_LARGE" } }],
    });
  });

  it("refuses a chunked body once it grows over the limit", async () => {
    const response = await postChunked(running.address.graphqlUrl, echoBody(LIMIT * 3));
    expect(response.status).toBe(413);
    expect(JSON.parse(response.text)).toMatchObject({ errors: [{ message: "Request body too large" }] });
  });
});
