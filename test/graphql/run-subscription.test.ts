import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresRunEventFeed } from "../../src/persistence/postgres/postgres-run-event-feed.ts";
import { SqliteRunEventFeed } from "../../src/persistence/sqlite/sqlite-run-event-feed.ts";
import type { RunEventFeed } from "../../src/engine/journal/run-event-feed.ts";
import type { Provider } from "../helpers/fresh-database.ts";
import { retryUntil } from "../helpers/retry-until.ts";
import { entities } from "../../examples/checkout/entities.ts";
import { getDatamodel } from "../../generated/checkout/sqlite/pothos-types.ts";
import { buildSchema } from "../../src/graphql/build-schema.ts";
import { ServiceRegistry } from "../../src/engine/definition/services.ts";
import { silentLogger } from "../../src/engine/logger.ts";
import { createCheckoutFixture } from "./checkout-fixture.ts";
import { subscribeSse } from "./run-subscription-client.ts";
import {
  checkout,
  createOrder,
  RUN_UPDATED,
  runningRunOf,
  sequenceProblems,
  startInstances,
  statusProgression,
  stepProgression,
  type RunUpdate,
  type SharedDatabaseInstances,
} from "./run-subscription-fixture.ts";

function subscriberCount(feed: RunEventFeed): number {
  if (feed instanceof PostgresRunEventFeed || feed instanceof SqliteRunEventFeed) return feed.subscriberCount;
  throw new Error("unexpected feed");
}

const sku = () => `SKU-${randomUUID().slice(0, 8)}`;

// Instance A executes every checkout; subscribers listen on B (another app, another server, same database) and on A.
describe.each<Provider>(["sqlite", "postgresql"])(
  "workflowRunUpdated over SSE, across two instances on one %s database",
  (provider) => {
    let shared: SharedDatabaseInstances;
    let a: string;
    let b: string;

    beforeAll(async () => {
      shared = await startInstances(provider, { count: 2, slowCardMs: 600 });
      [a, b] = shared.instances.map((instance) => instance.url) as [string, string];
    });
    afterAll(async () => {
      await shared?.close();
    });

    it("streams a run executed on another instance step by step, from RUNNING to COMPLETED, then ends the stream", async () => {
      const orderId = await createOrder(a, { sku: sku() });
      const outcome = checkout(a, orderId, "pm_card_slow");
      const runId = await runningRunOf(a, orderId);
      const [remote, local] = await Promise.all([
        subscribeSse<RunUpdate>(b, RUN_UPDATED, { id: runId }),
        subscribeSse<RunUpdate>(a, RUN_UPDATED, { id: runId }),
      ]);
      expect(remote.status).toBe(200);
      expect(remote.contentType).toContain("text/event-stream");

      const payloads = await remote.ended();
      expect(await outcome).toEqual({ __typename: "OrderCheckoutSuccess", runId });
      expect(
        payloads.every((payload) => payload.errors === undefined && payload.data?.workflowRunUpdated.id === runId),
      ).toBe(true);
      expect(sequenceProblems(payloads)).toEqual([]);
      expect(statusProgression(payloads)).toEqual(["RUNNING", "COMPLETED"]);
      // The slow charge leaves time to subscribe before the later steps start: each of their transitions is streamed.
      expect(stepProgression(payloads, "create-shipment")).toEqual(["PENDING", "RUNNING", "COMPLETED"]);
      expect(stepProgression(payloads, "finalize")).toEqual(["PENDING", "RUNNING", "COMPLETED"]);
      expect(payloads.at(-1)?.data?.workflowRunUpdated.steps.map((step) => step.status)).toEqual([
        "COMPLETED",
        "COMPLETED",
        "COMPLETED",
        "COMPLETED",
      ]);
      // The executing instance's own subscriber sees the very same transitions.
      const own = await local.ended();
      expect(sequenceProblems(own)).toEqual([]);
      expect(stepProgression(own, "create-shipment")).toEqual(["PENDING", "RUNNING", "COMPLETED"]);
      expect(own.at(-1)).toEqual(payloads.at(-1));
    });

    it("streams a failing run through COMPENSATING to COMPENSATED, then ends the stream", async () => {
      // The carrier refuses "XX" after the (slow) charge: the charge is refunded by its compensation.
      const orderId = await createOrder(a, { sku: sku(), country: "XX" });
      const outcome = checkout(a, orderId, "pm_card_slow");
      const runId = await runningRunOf(a, orderId);
      const subscription = await subscribeSse<RunUpdate>(b, RUN_UPDATED, { id: runId });

      const payloads = await subscription.ended();
      expect((await outcome).__typename).toBe("StepFailedError");
      expect(sequenceProblems(payloads)).toEqual([]);
      expect(statusProgression(payloads)).toEqual(["RUNNING", "COMPENSATING", "COMPENSATED"]);
      expect(stepProgression(payloads, "create-shipment")).toEqual(["PENDING", "RUNNING", "FAILED"]);
      expect(stepProgression(payloads, "charge-payment").slice(-2)).toEqual(["COMPENSATING", "COMPENSATED"]);
      expect(payloads.at(-1)?.data?.workflowRunUpdated).toMatchObject({
        status: "COMPENSATED",
        failedStep: "create-shipment",
      });
    });

    it("answers a subscription to a finished run with its final snapshot and ends the stream", async () => {
      const orderId = await createOrder(a, { sku: sku() });
      const outcome = await checkout(a, orderId, "pm_card_chargeDeclined");
      expect(outcome.__typename).toBe("StepFailedError");

      const payloads = await (await subscribeSse<RunUpdate>(b, RUN_UPDATED, { id: outcome.runId })).ended();
      expect(payloads).toHaveLength(1);
      expect(payloads[0]?.data?.workflowRunUpdated).toMatchObject({
        id: outcome.runId,
        status: "COMPENSATED",
        failedStep: "charge-payment",
      });
    });

    it("answers an unknown run id with a NOT_FOUND error instead of a stream", async () => {
      const payloads = await (await subscribeSse<RunUpdate>(b, RUN_UPDATED, { id: "no-such-run" })).ended();
      expect(payloads).toHaveLength(1);
      expect(payloads[0]?.errors?.[0]).toMatchObject({
        message: 'WorkflowRun "no-such-run" not found',
        extensions: { code: "NOT_FOUND" },
      });
    });

    it("stops listening for a run when its subscriber disconnects", async () => {
      const feed = shared.instances[1]!.app.runEvents;
      const orderId = await createOrder(a, { sku: sku() });
      const outcome = checkout(a, orderId, "pm_card_slow");
      const runId = await runningRunOf(a, orderId);
      const subscription = await subscribeSse<RunUpdate>(b, RUN_UPDATED, { id: runId });
      await subscription.received(1);
      expect(subscriberCount(feed)).toBe(1);

      subscription.abort();
      await retryUntil(() => subscriberCount(feed) === 0, { what: "the listener to be released" });
      await outcome;
    });
  },
);

describe("workflowRunUpdated and the server's lifecycle", () => {
  it("cuts open subscription streams at shutdown instead of waiting out the grace period", async () => {
    const shared = await startInstances("sqlite");
    const { app, url } = shared.instances[0]!;
    try {
      // A run that stays RUNNING (journaled, never executed): only the shutdown can end its stream.
      const runId = `run-${randomUUID()}`;
      await app.store.record({
        type: "run-started",
        runId,
        at: new Date(),
        workflow: "order.checkout",
        steps: ["a"],
        input: {},
        data: {},
        resourceId: undefined,
        transactional: false,
        idempotencyKey: undefined,
      });
      const subscription = await subscribeSse<RunUpdate>(url, RUN_UPDATED, { id: runId });
      await subscription.received(1);
      expect(subscription.payloads[0]?.data?.workflowRunUpdated).toMatchObject({ id: runId, status: "RUNNING" });

      const started = performance.now();
      await app.close();
      expect(performance.now() - started).toBeLessThan(5_000);
      await subscription.ended();
      expect(subscription.error).toBeDefined();
    } finally {
      await shared.close();
    }
  });

  it("has no Subscription type when buildSchema gets no runEvents feed", async () => {
    const fixture = await createCheckoutFixture();
    try {
      const runtime = {
        driver: fixture.driver,
        store: fixture.store,
        services: new ServiceRegistry(),
        logger: silentLogger,
      };
      const schema = buildSchema({ entities, runtime, prisma: fixture.prisma, datamodel: getDatamodel() });
      expect(schema.getSubscriptionType()).toBeUndefined();
      expect(schema.getQueryType()?.getFields().workflowRun).toBeDefined();
    } finally {
      await fixture.close();
    }
  });
});
