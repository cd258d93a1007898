/**
 * A transactional run past its pivot whose transaction is tried again after a lost connection: what the earlier
 * try wrote through the transaction is written again, and the journal keeps every reused step's shared data —
 * in the same process and in one that resumes the run after a crash.
 */
import { describe, expect, onTestFinished, test } from "vitest";
import { defineWorkflow, step, type StepContext } from "../../src/index.ts";
import { openRunJournal } from "../../src/persistence/open-run-journal.ts";
import type { DurableRunJournal } from "../../src/engine/journal/durable-run-journal.ts";
import { executeWorkflow } from "../../src/engine/execution/execute-workflow.ts";
import { silentLogger } from "../../src/engine/logger.ts";
import { resumeWorkflow } from "../../src/engine/recovery/resume-workflow.ts";
import type { RunEvent } from "../../src/engine/journal/run-events.ts";
import { eventIs, interruptingRunJournal } from "../helpers/interrupting-run-journal.ts";
import { killConnections } from "../helpers/kill-connections.ts";
import { createPostgresTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { FakeProvider } from "./fake-provider.ts";

interface Fixture {
  db: TestDatabase<unknown>;
  store: DurableRunJournal;
  provider: FakeProvider;
  shipments: string[];
  /** How many times `finalize` ran. */
  finalized: number;
}

async function setUp(): Promise<Fixture> {
  const db = await createPostgresTestDatabase();
  const store = await openRunJournal(db.url, { leaseMs: 60_000 });
  onTestFinished(async () => {
    await store.close();
    await db.close();
  });
  await db.driver.create("account", { owner: "buyer", balance: 5 });
  return { db, store, provider: new FakeProvider(), shipments: [], finalized: 0 };
}

interface Faults {
  /** Kill every connection right after `finalize` wrote, this many times: the commit then fails. */
  afterFinalizeWrote: number;
  /** Kill every connection before `finalize` writes, this many times: the step fails. */
  beforeFinalizeWrites: number;
}

/**
 * reserve (database) → charge (external, refunded) → ship (external, a pivot) → finalize, which writes the order
 * through the transaction from the data the external steps left. `finalizeEffect` says how finalize is declared:
 * left to the default (external) it is a step the replay would otherwise reuse without running it.
 */
function checkout(fixture: Fixture, faults: Faults, finalizeEffect: "external" | "database") {
  const { db, provider, shipments } = fixture;
  return defineWorkflow(
    "checkout",
    [
      step(
        "reserve",
        (ctx: StepContext) => ctx.driver.updateMany("account", { owner: "buyer" }, { balance: { decrement: 1 } }),
        null,
        { effect: "database" },
      ),
      step(
        "charge",
        (ctx: StepContext) => {
          const charge = provider.charge(ctx.idempotencyKey, 10);
          ctx.set("chargeId", charge.id);
          return charge;
        },
        (_ctx: StepContext, charge: { id: string }) => provider.refund(charge.id),
      ),
      step("ship", (ctx: StepContext) => {
        shipments.push(ctx.idempotencyKey);
        ctx.set("shipmentId", `sh_${shipments.length}`);
        return { shipmentId: `sh_${shipments.length}` };
      }),
      step(
        "finalize",
        async (ctx: StepContext) => {
          fixture.finalized += 1;
          if (faults.beforeFinalizeWrites-- > 0) await killConnections(db.url);
          const nickname = `${String(ctx.get("chargeId"))}/${String(ctx.get("shipmentId"))}`;
          await ctx.driver.updateMany("account", { owner: "buyer" }, { nickname });
          if (faults.afterFinalizeWrote-- > 0) await killConnections(db.url);
          return { nickname };
        },
        null,
        { effect: finalizeEffect },
      ),
    ],
    {
      useTransaction: true,
      forwardRecovery: { delay: 10, maxDelay: 50, maxAttempts: 10 },
      transientRetry: { forMs: 1 },
      transaction: { maxWait: 5000 },
    },
  );
}

async function account(fixture: Fixture) {
  return fixture.db.driver.findOne("account", { owner: "buyer" });
}

/** Matches the `nth` event `matches` is asked about that is a failure of `step`. */
function nthFailureOf(stepName: string, nth: number): (event: RunEvent) => boolean {
  let seen = 0;
  return (event) => event.type === "step-failed" && event.step === stepName && ++seen === nth;
}

describe("a transaction tried again past its pivot", () => {
  test("runs again an external step that wrote through the rolled-back transaction, calling no provider twice", async () => {
    const fixture = await setUp();
    const definition = checkout(fixture, { afterFinalizeWrote: 1, beforeFinalizeWrites: 0 }, "external");

    const outcome = await executeWorkflow(fixture.db.driver, definition, {
      store: fixture.store,
      logger: silentLogger,
    });

    expect(outcome).toMatchObject({ ok: true, status: "COMPLETED", result: { nickname: "ch_1/sh_1" } });
    expect(fixture.finalized).toBe(2);
    expect(fixture.provider.calls).toBe(1);
    expect(fixture.shipments).toHaveLength(1);
    expect(await account(fixture)).toMatchObject({ balance: 4, nickname: "ch_1/sh_1" });
  });

  test("resumed after a crash, runs again the external step the journal says wrote through the transaction", async () => {
    const fixture = await setUp();
    const definition = checkout(fixture, { afterFinalizeWrote: 1, beforeFinalizeWrites: 0 }, "external");
    // The failed commit is followed by a wait to go forward that starts by journaling finalize's completion.
    const crashing = interruptingRunJournal(fixture.store, eventIs("step-completed", "finalize"), "after");
    const runId = crypto.randomUUID();
    await expect(
      executeWorkflow(fixture.db.driver, definition, { runId, store: crashing.store, logger: silentLogger }),
    ).rejects.toThrow(/simulated crash/);
    expect(await account(fixture)).toMatchObject({ balance: 5, nickname: null });
    const journaled = await fixture.store.getJournaledRun(runId);

    const outcome = await resumeWorkflow(fixture.db.driver, definition, journaled!, {
      store: fixture.store,
      logger: silentLogger,
    });

    expect(outcome).toMatchObject({ ok: true, status: "COMPLETED" });
    expect(fixture.finalized).toBe(2);
    expect(fixture.provider.calls).toBe(1);
    expect(fixture.shipments).toHaveLength(1);
    expect(await account(fixture)).toMatchObject({ balance: 4, nickname: "ch_1/sh_1" });
  });

  test("keeps the reused steps' data in the journal while a later try re-runs the steps before them", async () => {
    const fixture = await setUp();
    const definition = checkout(fixture, { afterFinalizeWrote: 0, beforeFinalizeWrites: 2 }, "database");
    // The second try's failure is journaled with the second try's `reserve` completion before it: then a crash.
    const crashing = interruptingRunJournal(fixture.store, nthFailureOf("finalize", 2), "after");
    const runId = crypto.randomUUID();
    await expect(
      executeWorkflow(fixture.db.driver, definition, { runId, store: crashing.store, logger: silentLogger }),
    ).rejects.toThrow(/simulated crash/);
    const journaled = await fixture.store.getJournaledRun(runId);
    expect(journaled?.run.data).toMatchObject({ chargeId: "ch_1", shipmentId: "sh_1" });

    const outcome = await resumeWorkflow(fixture.db.driver, definition, journaled!, {
      store: fixture.store,
      logger: silentLogger,
    });

    expect(outcome).toMatchObject({ ok: true, status: "COMPLETED", result: { nickname: "ch_1/sh_1" } });
    expect(fixture.provider.calls).toBe(1);
    expect(fixture.shipments).toHaveLength(1);
    expect(await account(fixture)).toMatchObject({ balance: 4, nickname: "ch_1/sh_1" });
  });
});
