/**
 * An instance that is alive but lost its run's lease: its heartbeats stopped getting through, the lease ran out,
 * and another instance took the run over and finished it. When the first one wakes up it must stop where it
 * is — no compensation, no external step called again — and its caller must not be told the run's outcome.
 */
import { afterEach, describe, expect, test } from "vitest";
import { order } from "../../examples/checkout/entities.ts";
import {
  action,
  defineWorkflow,
  NonRetryableError,
  RunFinishedError,
  RunLeaseLostError,
  step,
  type StepContext,
} from "../../src/index.ts";
import { openRunJournal } from "../../src/persistence/open-run-journal.ts";
import type { WorkflowDefinition } from "../../src/engine/definition/define-workflow.ts";
import type { DurableRunJournal } from "../../src/engine/journal/durable-run-journal.ts";
import { executeWorkflow } from "../../src/engine/execution/execute-workflow.ts";
import { JournalWriteError } from "../../src/engine/journal/journal-writer.ts";
import { silentLogger } from "../../src/engine/logger.ts";
import { resumeWorkflow } from "../../src/engine/recovery/resume-workflow.ts";
import { createCheckoutFixture, createOrder, type CheckoutFixture } from "../graphql/checkout-fixture.ts";
import { Latch } from "../helpers/latch.ts";
import { retryUntil } from "../helpers/retry-until.ts";
import { createPostgresTestDatabase, createSqliteTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

const LEASE_MS = 300;

/** The real store, except that its lease renewals never get through: a partition, or an event loop stalled. */
function withoutHeartbeats(store: DurableRunJournal): DurableRunJournal {
  return new Proxy(store, {
    get(target, property) {
      if (property === "renewLease")
        return () => Promise.reject(Object.assign(new Error("connect ETIMEDOUT"), { code: "ETIMEDOUT" }));
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Who called what, by instance: a step called again by the instance that lost the run shows here. */
class Calls {
  readonly log: string[] = [];
  by(instance: string): string[] {
    return this.log.filter((entry) => entry.startsWith(`${instance}:`));
  }
}

/**
 * charge (external, refunded) → ship (external, retried). On instance A, ship waits for the test to let it go,
 * then fails the way `failure` says; on instance B it succeeds.
 */
function checkout(
  calls: Calls,
  instance: () => string,
  shipEntered: Latch,
  release: Latch,
  failure: "final" | "retryable",
) {
  type Ctx = StepContext<undefined, undefined, Record<string, unknown>>;
  const steps = [
    step(
      "charge",
      (ctx: Ctx) => {
        calls.log.push(`${instance()}:charge`);
        return { id: `ch:${ctx.idempotencyKey}` };
      },
      () => void calls.log.push(`${instance()}:refund`),
    ),
    step(
      "ship",
      async () => {
        const who = instance();
        calls.log.push(`${who}:ship`);
        if (who === "B") return { shipped: true };
        shipEntered.open();
        await release.wait();
        throw failure === "final" ? new NonRetryableError("carrier refused") : new Error("carrier briefly unavailable");
      },
      null,
      { retry: { maxAttempts: 3, delay: 1 } },
    ),
  ];
  return defineWorkflow("lost-lease-checkout", steps) as unknown as WorkflowDefinition<never, unknown>;
}

describe.each([
  ["SQLite", createSqliteTestDatabase],
  ["PostgreSQL", createPostgresTestDatabase],
] as const)("an instance that lost its lease to another, on %s", (_name, createDatabase) => {
  let db: TestDatabase<unknown>;
  const stores: DurableRunJournal[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await db?.close();
  });

  test.each([
    ["final", "while B holds the run", RunLeaseLostError],
    ["retryable", "while B holds the run", RunLeaseLostError],
    ["final", "after B finished it", RunFinishedError],
    ["retryable", "after B finished it", RunFinishedError],
  ] as const)(
    "its step fails (%s) %s: it stops at its next journal write, nothing compensated or called again, and its caller gets the refusal",
    async (failure, when, refusal) => {
      db = (await createDatabase()) as TestDatabase<unknown>;
      const storeA = await openRunJournal(db.url, { owner: "instance-a", leaseMs: LEASE_MS });
      const storeB = await openRunJournal(db.url, { owner: "instance-b", leaseMs: 60_000 });
      stores.push(storeA, storeB);
      const calls = new Calls();
      let current = "A";
      const shipEntered = new Latch();
      const release = new Latch();
      const definition = checkout(calls, () => current, shipEntered, release, failure);
      const runId = crypto.randomUUID();

      const runOnA = executeWorkflow(db.driver, definition, {
        runId,
        store: withoutHeartbeats(storeA),
        logger: silentLogger,
      }).then(
        (outcome) => ({ outcome }),
        (error: unknown) => ({ error }),
      );
      await shipEntered.wait();
      const lease = await retryUntil(
        async () => (await storeB.claimRun(runId, storeB.owner, storeB.leaseMs)) ?? undefined,
        { timeoutMs: 10_000, intervalMs: 20, what: "A's lease to run out" },
      );
      expect(lease).toMatchObject({ owner: "instance-b" });
      const resumeOnB = async () => {
        current = "B";
        const onB = await resumeWorkflow(db.driver, definition, (await storeB.getJournaledRun(runId))!, {
          store: storeB,
          logger: silentLogger,
        });
        current = "A";
        expect(onB).toMatchObject({ status: "COMPLETED", result: { shipped: true } });
      };
      if (when === "after B finished it") await resumeOnB();
      release.open();
      const onA = await runOnA;
      if (when === "while B holds the run") await resumeOnB();

      expect(onA).toEqual({ error: expect.any(JournalWriteError) });
      const cause = (onA as { error: Error }).error.cause;
      expect(cause).toBeInstanceOf(refusal);
      expect(cause).toMatchObject(
        refusal === RunLeaseLostError
          ? { runId, owner: "instance-a", currentOwner: "instance-b" }
          : { runId, status: "COMPLETED" },
      );
      expect(calls.by("A")).toEqual(["A:charge", "A:ship"]);
      expect(calls.by("B")).toEqual(["B:ship"]);
      const run = await storeB.getRun(runId);
      expect(run).toMatchObject({ status: "COMPLETED", result: { shipped: true } });
      expect(run?.steps.map((s) => s.status)).toEqual(["COMPLETED", "COMPLETED"]);
      const types = (await storeB.listEvents({ runId })).map(({ event }) => event.type);
      expect(types.filter((type) => type.startsWith("compensation") || type === "run-compensating")).toEqual([]);
      expect(types.filter((type) => type === "run-finished")).toHaveLength(1);
    },
    30_000,
  );
});

describe("the client of an instance that lost its lease", () => {
  let app: CheckoutFixture | undefined;
  let storeB: DurableRunJournal | undefined;
  afterEach(async () => {
    await storeB?.close();
    await app?.close();
  });

  test("gets the outcome of the run the other instance finished, as its key's replay does, with nothing done again", async () => {
    const calls = new Calls();
    let current = "A";
    const shipEntered = new Latch();
    const release = new Latch();
    const workflow = checkout(calls, () => current, shipEntered, release, "final");
    const fulfilling = order.actions({ fulfil: action().workflow([...workflow.steps]) });
    app = await createCheckoutFixture({ entities: [fulfilling], leaseMs: LEASE_MS, wrapRunJournal: withoutHeartbeats });
    storeB = await openRunJournal(app.databaseUrl, { owner: "instance-b", leaseMs: 60_000 });
    const id = await createOrder(app.prisma, []);
    const mutation = `mutation ($id: ID!, $key: String) { orderFulfil(id: $id, idempotencyKey: $key) {
      __typename ... on OrderFulfilSuccess { runId replayed result } ... on WorkflowError { code } } }`;
    const send = () => app!.gql(mutation, { id, key: "lost-lease-client" });

    const reply = send();
    await shipEntered.wait();
    const runs = await storeB.listRuns();
    expect(runs).toHaveLength(1);
    const runId = runs[0]!.id;
    await retryUntil(async () => (await storeB!.claimRun(runId, "instance-b", 60_000)) ?? undefined, {
      timeoutMs: 10_000,
      intervalMs: 20,
      what: "A's lease to run out",
    });
    current = "B";
    const [started] = await storeB.listEvents({ runId, take: 1 });
    const definition = fulfilling.actionDefinitions.fulfil.workflow as unknown as WorkflowDefinition<never, unknown>;
    const onB = await resumeWorkflow(app.driver, definition, (await storeB.getJournaledRun(runId))!, {
      store: storeB,
      started: started!.event as never,
      logger: silentLogger,
    });
    expect(onB).toMatchObject({ status: "COMPLETED" });
    current = "A";
    release.open();
    const answer = await reply;

    expect(answer.errors).toBeUndefined();
    expect(answer.data?.orderFulfil).toEqual({
      __typename: "OrderFulfilSuccess",
      runId,
      replayed: false,
      result: { shipped: true },
    });
    expect(calls.log).toEqual(["A:charge", "A:ship", "B:ship"]);
    expect((await send()).data?.orderFulfil).toEqual({
      __typename: "OrderFulfilSuccess",
      runId,
      replayed: true,
      result: { shipped: true },
    });
    expect(calls.log).toHaveLength(3);
  }, 30_000);
});
