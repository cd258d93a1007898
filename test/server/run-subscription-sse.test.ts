import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminHeaders } from "../helpers/checkout-tokens.ts";
import { startInstances, type Instance, type SharedDatabaseInstances } from "../graphql/run-subscription-fixture.ts";

/** A run journaled as started and completed, without executing anything. */
async function finishedRun(instance: Instance): Promise<string> {
  const runId = `run-${randomUUID()}`;
  const at = new Date();
  await instance.app.store.record({
    type: "run-started",
    runId,
    at,
    workflow: "order.checkout",
    steps: [],
    input: {},
    data: {},
    resourceId: undefined,
    transactional: false,
    idempotencyKey: undefined,
  });
  await instance.app.store.record({ type: "run-finished", runId, at, status: "COMPLETED", result: { ok: true } });
  return runId;
}

describe("subscriptions through the server's CSRF prevention", () => {
  let shared: SharedDatabaseInstances;
  let instance: Instance;
  let subscriptionUrl: string;

  beforeAll(async () => {
    shared = await startInstances("sqlite", { graphiql: true });
    instance = shared.instances[0]!;
    const query = `subscription { workflowRunUpdated(id: "${await finishedRun(instance)}") { status } }`;
    subscriptionUrl = `${instance.url}?query=${encodeURIComponent(query)}`;
  });
  afterAll(async () => {
    await shared?.close();
  });

  it("refuses a GET event stream without the CSRF header, as any GET operation", async () => {
    const response = await fetch(subscriptionUrl, { headers: { accept: "text/event-stream" } });
    expect(response.status).toBe(403);
  });

  it("streams a GET subscription that carries the CSRF header, and completes it", async () => {
    const response = await fetch(subscriptionUrl, {
      headers: { accept: "text/event-stream", "x-graphql-yoga-csrf": "1", ...adminHeaders() },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const body = await response.text();
    expect(body).toContain('data: {"data":{"workflowRunUpdated":{"status":"COMPLETED"}}}');
    expect(body).toContain("event: complete");
  });

  it("serves a GraphiQL page that sends the CSRF header, so its subscriptions pass", async () => {
    const response = await fetch(instance.url, { headers: { accept: "text/html", "accept-encoding": "identity" } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('"additionalHeaders":{"x-graphql-yoga-csrf":"graphiql"}');
  });
});
