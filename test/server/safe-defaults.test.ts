import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connect } from "node:net";
import { getIntrospectionQuery } from "graphql";
import { placeholderSchema } from "../helpers/placeholder-schema.ts";
import { postGraphQL } from "../helpers/graphql-request.ts";
import { startTestServer, type TestServer } from "../helpers/start-test-server.ts";
import type { CreateServerOptions } from "../../src/server/create-server.ts";

function preflight(url: string, origin: string): Promise<Response> {
  return fetch(url, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type,x-graphql-yoga-csrf",
    },
  });
}

/** A server started while NODE_ENV is `production`, which is read when the server is created. */
async function startInProduction(options: Omit<CreateServerOptions, "logger" | "schema"> = {}): Promise<TestServer> {
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    return await startTestServer({ schema: placeholderSchema(), ...options });
  } finally {
    if (previous === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = previous;
  }
}

function openGraphiQL(url: string): Promise<Response> {
  return fetch(url, { headers: { accept: "text/html" } });
}

describe("safe defaults", () => {
  let running: TestServer;
  beforeAll(async () => {
    running = await startTestServer({ schema: placeholderSchema(), requestTimeoutMs: 400 });
  });
  afterAll(() => running.server.close());

  it("does not let a cross-site preflight through: no origin echoed, no credentials", async () => {
    const response = await preflight(running.address.graphqlUrl, "https://evil.example");
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(response.headers.get("access-control-allow-credentials")).toBeNull();
    expect(response.headers.get("access-control-allow-headers")).toBeNull();
  });

  it("allows the configured origins only", async () => {
    const configured = await startTestServer({
      schema: placeholderSchema(),
      graphiql: false,
      cors: { origin: ["https://app.example"], credentials: true },
    });
    try {
      const allowed = await preflight(configured.address.graphqlUrl, "https://app.example");
      expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example");
      expect(allowed.headers.get("access-control-allow-credentials")).toBe("true");
      const evil = await preflight(configured.address.graphqlUrl, "https://evil.example");
      expect(evil.headers.get("access-control-allow-origin")).toBeNull();
      expect(evil.headers.get("access-control-allow-credentials")).toBeNull();
    } finally {
      await configured.server.close();
    }
  });

  it("keeps introspection, suggestions and GraphiQL in development", async () => {
    expect((await postGraphQL(running.address.graphqlUrl, getIntrospectionQuery())).body.errors).toBeUndefined();
    expect((await postGraphQL(running.address.graphqlUrl, "{ helo }")).body.errors?.[0]?.message).toContain(
      'Did you mean "hello"?',
    );
    expect((await openGraphiQL(running.address.graphqlUrl)).headers.get("content-type")).toContain("text/html");
  });

  it("does not echo the text a syntax error stopped at", async () => {
    const secret = `leaked${"x".repeat(5000)}`;
    const response = await postGraphQL(running.address.graphqlUrl, `{ hello } ${secret}`);
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      expect.objectContaining({ message: "Syntax Error: Unexpected Name.", locations: [{ line: 1, column: 11 }] }),
    ]);
    expect(JSON.stringify(response.body)).not.toContain("leaked");
    const string = await postGraphQL(running.address.graphqlUrl, `{ hello(name: "a") "${secret}" }`);
    expect(JSON.stringify(string.body)).not.toContain("leaked");
    expect(string.body.errors?.[0]?.message).toBe("Syntax Error: Expected Name, found String.");
  });

  it("cuts a request whose body trickles in with 408", async () => {
    const { port } = running.address;
    const started = performance.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, "127.0.0.1");
      let text = "";
      const body = JSON.stringify({ query: "{ hello }" });
      socket.on("connect", () => {
        socket.write(
          `POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`,
        );
        let sent = 0;
        // One byte every 100 ms: the whole body would take seconds, far past the 400 ms allowed.
        const drip = setInterval(() => {
          if (sent < body.length && !socket.destroyed) socket.write(body[sent++]!);
        }, 100);
        socket.on("close", () => clearInterval(drip));
      });
      socket.setEncoding("utf8");
      socket.on("data", (chunk: string) => (text += chunk));
      socket.on("close", () => resolve(text));
      socket.on("error", reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  describe("under NODE_ENV=production", () => {
    let production: TestServer;
    beforeAll(async () => {
      production = await startInProduction();
    });
    afterAll(() => production.server.close());
    afterEach(() => expect(process.env.NODE_ENV).not.toBe("production"));

    it("refuses introspection", async () => {
      const response = await postGraphQL(production.address.graphqlUrl, getIntrospectionQuery());
      expect(response.body.data ?? null).toBeNull();
      expect(response.body.errors?.[0]?.message).toMatch(/introspection/);
      expect(
        (await postGraphQL(production.address.graphqlUrl, '{ __type(name: "Query") { name } }')).body.errors?.[0]
          ?.message,
      ).toMatch(/introspection/);
    });

    it("suggests no field names", async () => {
      const response = await postGraphQL(production.address.graphqlUrl, "{ helo }");
      expect(response.body.errors).toEqual([
        expect.objectContaining({ message: 'Cannot query field "helo" on type "Query".' }),
      ]);
    });

    it("serves no GraphiQL", async () => {
      const response = await openGraphiQL(production.address.graphqlUrl);
      expect(response.headers.get("content-type") ?? "").not.toContain("text/html");
    });

    it("turns each back on when the options say so", async () => {
      const enabled = await startInProduction({ introspection: true, fieldSuggestions: true, graphiql: true });
      try {
        expect((await postGraphQL(enabled.address.graphqlUrl, getIntrospectionQuery())).body.errors).toBeUndefined();
        expect((await postGraphQL(enabled.address.graphqlUrl, "{ helo }")).body.errors?.[0]?.message).toContain(
          "Did you mean",
        );
        expect((await openGraphiQL(enabled.address.graphqlUrl)).headers.get("content-type")).toContain("text/html");
      } finally {
        await enabled.server.close();
      }
    });
  });
});
