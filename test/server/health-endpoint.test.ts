import { afterEach, describe, expect, it } from "vitest";
import { placeholderSchema } from "../helpers/placeholder-schema.ts";
import { startTestServer, type TestServer } from "../helpers/start-test-server.ts";

describe("GET /health", () => {
  let running: TestServer | undefined;
  afterEach(async () => {
    await running?.server.close();
    running = undefined;
  });

  it("answers 200 when every dependency probe passes", async () => {
    running = await startTestServer({
      schema: placeholderSchema(),
      graphiql: false,
      healthChecks: { database: async () => 1 },
    });
    const response = await fetch(`${running.address.url}/health`);
    expect(response.status).toBe(200);
    const report = await response.json();
    expect(report).toMatchObject({ status: "ok", checks: { database: { ok: true } } });
  });

  it("answers 503 naming the dependency that failed", async () => {
    running = await startTestServer({
      schema: placeholderSchema(),
      graphiql: false,
      healthChecks: { database: async () => Promise.reject(new Error("connection refused")), cache: async () => 1 },
    });
    const response = await fetch(`${running.address.url}/health`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      status: "unavailable",
      checks: { database: { ok: false, error: "connection refused" }, cache: { ok: true } },
    });
  });

  it("counts a probe that hangs as failed instead of hanging", async () => {
    running = await startTestServer({
      schema: placeholderSchema(),
      graphiql: false,
      healthChecks: { database: () => new Promise(() => {}) },
      healthCheckTimeoutMs: 100,
    });
    const response = await fetch(`${running.address.url}/health`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      checks: { database: { ok: false, error: "no answer within 100 ms" } },
    });
  });

  it("keeps yoga's probe-free liveness check at /live", async () => {
    running = await startTestServer({
      schema: placeholderSchema(),
      graphiql: false,
      healthChecks: { database: async () => Promise.reject(new Error("down")) },
    });
    expect((await fetch(`${running.address.url}/live`)).status).toBe(200);
  });
});
