/**
 * Lost connections again and again, while a transactional run tries its transaction again: every external step
 * that completed in any try is either kept by a committed run or compensated exactly once — never forgotten.
 */
import { describe, expect, onTestFinished, test } from "vitest";
import { defineWorkflow, step, type StepContext } from "../../src/index.ts";
import { openRunJournal } from "../../src/persistence/open-run-journal.ts";
import type { WorkflowOptions } from "../../src/engine/definition/define-workflow.ts";
import type { DurableRunJournal } from "../../src/engine/journal/durable-run-journal.ts";
import { executeWorkflow } from "../../src/engine/execution/execute-workflow.ts";
import { silentLogger } from "../../src/engine/logger.ts";
import { resumeWorkflow } from "../../src/engine/recovery/resume-workflow.ts";
import { eventIs, interruptingRunJournal } from "../helpers/interrupting-run-journal.ts";
import { killConnections } from "../helpers/kill-connections.ts";
import { createPostgresTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { FakeProvider } from "./fake-provider.ts";

/** How many times each step kills every connection before its database write, counted over all tries. */
interface Faults {
  reserveOnRetries: number;
  finalize: number;
}

interface Fixture {
  db: TestDatabase<unknown>;
  store: DurableRunJournal;
  provider: FakeProvider;
  shipments: string[];
}

async function setUp(): Promise<Fixture> {
  const db = await createPostgresTestDatabase();
  const store = await openRunJournal(db.url, { leaseMs: 60_000 });
  onTestFinished(async () => {
    await store.close();
    await db.close();
  });
  await db.driver.create("account", { owner: "buyer", balance: 5 });
  return { db, store, provider: new FakeProvider(), shipments: [] };
}

/**
 * reserve (database) → charge (external, refunded) → ship (external, no compensation: a pivot) → finalize
 * (database). `finalize` loses its connection first; then every later try's `reserve` loses it, `faults` times.
 */
function checkout(fixture: Fixture, faults: Faults, options: WorkflowOptions & { ship?: boolean }) {
  let reserveTries = 0;
  const { db, provider, shipments } = fixture;
  const steps = [
    step(
      "reserve",
      async (ctx: StepContext) => {
        reserveTries += 1;
        if (reserveTries > 1 && faults.reserveOnRetries-- > 0) await killConnections(db.url);
        return ctx.driver.updateMany("account", { owner: "buyer" }, { balance: { decrement: 1 } });
      },
      null,
      { effect: "database" },
    ),
    step(
      "charge",
      (ctx: StepContext) => provider.charge(ctx.idempotencyKey, 10),
      (_ctx: StepContext, charge: { id: string }) => provider.refund(charge.id),
    ),
    ...(options.ship === false
      ? []
      : [
          step("ship", (ctx: StepContext) => {
            shipments.push(ctx.idempotencyKey);
            return { shipmentId: `sh_${shipments.length}` };
          }),
        ]),
    step(
      "finalize",
      async (ctx: StepContext) => {
        if (faults.finalize-- > 0) await killConnections(db.url);
        await ctx.driver.updateMany("account", { owner: "buyer" }, { nickname: "completed" });
        return { done: true };
      },
      null,
      { effect: "database" },
    ),
  ];
  return defineWorkflow("checkout", steps, { useTransaction: true, ...options });
}

async function account(fixture: Fixture) {
  return fixture.db.driver.findOne("account", { owner: "buyer" });
}

const QUICK = { delay: 10, maxDelay: 50 };

describe("a transactional run whose tries keep losing their connection", () => {
  test("that gives up compensates the external step an earlier try completed, exactly once", async () => {
    const fixture = await setUp();
    const definition = checkout(
      fixture,
      { reserveOnRetries: Number.POSITIVE_INFINITY, finalize: 1 },
      { ship: false, transientRetry: { forMs: 400, ...QUICK } },
    );

    const outcome = await executeWorkflow(fixture.db.driver, definition, {
      store: fixture.store,
      logger: silentLogger,
    });

    expect(outcome).toMatchObject({
      ok: false,
      status: "COMPENSATED",
      compensatedSteps: ["charge", "reserve"],
      rolledBack: true,
      retryable: false,
    });
    expect(fixture.provider.calls).toBe(1);
    expect([...fixture.provider.refunds]).toEqual(["ch_1"]);
    expect(fixture.provider.refundCalls).toBe(1);
    expect(await account(fixture)).toMatchObject({ balance: 5, nickname: null });
    const run = await fixture.store.getRun(outcome.runId);
    expect(run?.status).toBe("COMPENSATED");
    expect(run?.steps.find((s) => s.name === "charge")?.status).toBe("COMPENSATED");
  });

  test("that the faults let go of ends as a clean run would, calling no external step twice", async () => {
    const fixture = await setUp();
    const definition = checkout(fixture, { reserveOnRetries: 3, finalize: 1 }, { transientRetry: QUICK });

    const outcome = await executeWorkflow(fixture.db.driver, definition, {
      store: fixture.store,
      logger: silentLogger,
    });

    expect(outcome).toMatchObject({ ok: true, status: "COMPLETED", result: { done: true } });
    expect(fixture.provider.calls).toBe(1);
    expect(fixture.provider.refundCalls).toBe(0);
    expect(fixture.shipments).toHaveLength(1);
    expect(await account(fixture)).toMatchObject({ balance: 4, nickname: "completed" });
    expect((await fixture.store.getRun(outcome.runId))?.status).toBe("COMPLETED");
  });

  test("resumed from its journal after a crash mid-compensation still refunds the charge an earlier try made", async () => {
    const fixture = await setUp();
    const definition = checkout(
      fixture,
      { reserveOnRetries: Number.POSITIVE_INFINITY, finalize: 1 },
      { ship: false, transientRetry: { forMs: 300, ...QUICK } },
    );
    const crashing = interruptingRunJournal(fixture.store, eventIs("compensation-started", "charge"), "after");
    const runId = crypto.randomUUID();
    await expect(
      executeWorkflow(fixture.db.driver, definition, { runId, store: crashing.store, logger: silentLogger }),
    ).rejects.toThrow(/simulated crash/);
    // The journal shows the retried `reserve` failed again before the charge an earlier try completed.
    const journaled = await fixture.store.getJournaledRun(runId);
    expect(journaled?.run.steps.map((s) => s.status)).toEqual(["FAILED", "COMPENSATING", "FAILED"]);

    const outcome = await resumeWorkflow(fixture.db.driver, definition, journaled!, {
      store: fixture.store,
      logger: silentLogger,
    });

    expect(outcome).toMatchObject({ status: "COMPENSATED", compensatedSteps: ["charge", "reserve"] });
    expect([...fixture.provider.refunds]).toEqual(["ch_1"]);
    expect(await account(fixture)).toMatchObject({ balance: 5 });
  });
});

describe("forward recovery of a transactional run past its pivot", () => {
  test("drives the run forward through repeated lost connections: shipped, charged once, never refunded", async () => {
    const fixture = await setUp();
    const definition = checkout(
      fixture,
      { reserveOnRetries: 4, finalize: 1 },
      { forwardRecovery: { ...QUICK, maxAttempts: 10 }, transientRetry: { forMs: 1 }, transaction: { maxWait: 5000 } },
    );

    const outcome = await executeWorkflow(fixture.db.driver, definition, {
      store: fixture.store,
      logger: silentLogger,
    });

    expect(outcome).toMatchObject({ ok: true, status: "COMPLETED" });
    expect(fixture.provider.calls).toBe(1);
    expect(fixture.provider.refundCalls).toBe(0);
    expect(fixture.shipments).toHaveLength(1);
    expect(await account(fixture)).toMatchObject({ balance: 4, nickname: "completed" });
  });

  test("that runs out of tries parks the run FAILED with nothing compensated", async () => {
    const fixture = await setUp();
    const definition = checkout(
      fixture,
      { reserveOnRetries: Number.POSITIVE_INFINITY, finalize: 1 },
      { forwardRecovery: { ...QUICK, maxAttempts: 2 } },
    );

    const outcome = await executeWorkflow(fixture.db.driver, definition, {
      store: fixture.store,
      logger: silentLogger,
    });

    expect(outcome).toMatchObject({
      ok: false,
      status: "FAILED",
      compensatedSteps: [],
      uncompensatedSteps: ["finalize", "ship", "charge", "reserve"].slice(1),
    });
    expect(outcome.ok === false && outcome.cause.code).toBe("FORWARD_RECOVERY_EXHAUSTED");
    expect(fixture.provider.refundCalls).toBe(0);
    const run = await fixture.store.getRun(outcome.runId);
    expect(run).toMatchObject({ status: "FAILED", error: { code: "FORWARD_RECOVERY_EXHAUSTED" } });
  });

  test("resumed after a crash while waiting to go forward, goes forward: the journal knows the pivot completed", async () => {
    const fixture = await setUp();
    const faults = { reserveOnRetries: 0, finalize: 1 };
    const definition = checkout(fixture, faults, { forwardRecovery: QUICK });
    // The first try failed at finalize; the wait before the next try starts with the pivot's completion made durable.
    const crashing = interruptingRunJournal(fixture.store, eventIs("step-completed", "ship"), "after");
    const runId = crypto.randomUUID();
    await expect(
      executeWorkflow(fixture.db.driver, definition, { runId, store: crashing.store, logger: silentLogger }),
    ).rejects.toThrow(/simulated crash/);
    const journaled = await fixture.store.getJournaledRun(runId);

    const outcome = await resumeWorkflow(fixture.db.driver, definition, journaled!, {
      store: fixture.store,
      logger: silentLogger,
    });

    expect(outcome).toMatchObject({ status: "COMPLETED" });
    expect(fixture.provider.calls).toBe(1);
    expect(fixture.provider.refundCalls).toBe(0);
    expect(fixture.shipments).toHaveLength(1);
    expect(await account(fixture)).toMatchObject({ balance: 4, nickname: "completed" });
  });
});
