import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { Latch } from "../helpers/latch.ts";
import { postGraphQL } from "../helpers/graphql-request.ts";
import { placeholderSchema } from "../helpers/placeholder-schema.ts";
import { retryUntil } from "../helpers/retry-until.ts";
import { startTestServer } from "../helpers/start-test-server.ts";

describe("close()", () => {
  it("lets a request in flight finish, refuses new connections, then releases resources", async () => {
    const slowStarted = new Latch();
    const slowRelease = new Latch();
    const events: string[] = [];
    const { server, address } = await startTestServer({
      schema: placeholderSchema({ slowStarted, slowRelease }),
      graphiql: false,
      onClose: [() => events.push("services closed"), () => events.push("database closed")],
    });
    server.http.on("request", (_request, response: ServerResponse) =>
      response.once("finish", () => events.push("response sent")),
    );
    const inFlight = postGraphQL(address.graphqlUrl, "{ slow }");
    await slowStarted.wait();

    const closed = server.close().then(() => events.push("close resolved"));
    await retryUntil(() => !server.http.listening, { what: "the server to stop listening" });
    await expect(fetch(`${address.url}/live`)).rejects.toThrow();
    expect(events).toEqual([]);

    slowRelease.open();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ data: { slow: "done" } });
    await closed;
    expect(events).toEqual(["response sent", "services closed", "database closed", "close resolved"]);
  });

  it("answers 503 on /health while draining, so a load balancer stops routing to it", async () => {
    const slowStarted = new Latch();
    const slowRelease = new Latch();
    const { server, address } = await startTestServer({
      schema: placeholderSchema({ slowStarted, slowRelease }),
      graphiql: false,
    });
    const slow = postGraphQL(address.graphqlUrl, "{ slow }");
    await slowStarted.wait();
    const closed = server.close();
    // The listener is closed by now, so ask yoga directly, as a request on a surviving keep-alive connection would.
    const health = await server.yoga.fetch(`${address.url}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: "closing", checks: {} });
    slowRelease.open();
    await slow;
    await closed;
  });

  it("cuts a request that outlives the grace period, and still releases resources", async () => {
    const slowStarted = new Latch();
    let released = false;
    const { server, address, logs } = await startTestServer({
      schema: placeholderSchema({ slowStarted, slowRelease: new Latch() }),
      graphiql: false,
      shutdownGraceMs: 100,
      onClose: [() => (released = true)],
    });
    const stuck = postGraphQL(address.graphqlUrl, "{ slow }").catch((error: unknown) => error);
    await slowStarted.wait();
    await server.close();
    expect(await stuck).toBeInstanceOf(Error);
    expect(released).toBe(true);
    expect(
      logs.find((line) => line.msg === "grace period over: cut the connections of unfinished requests"),
    ).toMatchObject({ abandoned: 1 });
  });

  it("closes idle keep-alive connections at once instead of waiting for their timeout", async () => {
    const { server, address } = await startTestServer({ schema: placeholderSchema(), graphiql: false });
    await postGraphQL(address.graphqlUrl, "{ hello }");
    const started = performance.now();
    await server.close();
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("can be called twice and resolves both times", async () => {
    const { server } = await startTestServer({ schema: placeholderSchema(), graphiql: false });
    await Promise.all([server.close(), server.close()]);
    await server.close();
  });
});
