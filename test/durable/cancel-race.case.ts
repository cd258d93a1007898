/**
 * A cancel racing a run's own end, many times over, against a real app database and journal: whichever wins,
 * the run is either COMPLETED with its deposit and charge standing and nothing compensated, or CANCELLED with both
 * undone. Never both, never neither; and the cancel's answer says which one won.
 */
import { setImmediate as nextTurn, setTimeout as sleep } from "node:timers/promises";
import { expect, onTestFinished, test } from "vitest";
import { defineWorkflow, step, type StepContext } from "../../src/index.ts";
import { openRunJournal } from "../../src/persistence/open-run-journal.ts";
import { cancelRun } from "../../src/engine/control/cancel-run.ts";
import type { WorkflowDefinition } from "../../src/engine/definition/define-workflow.ts";
import { executeWorkflow } from "../../src/engine/execution/execute-workflow.ts";
import { silentLogger } from "../../src/engine/logger.ts";
import type { TestDatabase } from "../helpers/test-database.ts";
import { FakeProvider } from "./fake-provider.ts";

type Ctx = StepContext<{ amount: number }, undefined, Record<string, never>>;
const RACES = 40;

/**
 * `chargedInFlight`: the provider takes the charge as soon as the request reaches it, and the abort cuts off only
 * its answer (what a real HTTP call aborted mid-flight does). Otherwise an abort stops the request before it leaves.
 */
async function raceCancels(
  createDatabase: () => Promise<TestDatabase<unknown>>,
  chargedInFlight: boolean,
): Promise<void> {
  const db = await createDatabase();
  const store = await openRunJournal(db.url, { leaseMs: 60_000 });
  onTestFinished(async () => {
    await store.close();
    await db.close();
  });
  await db.driver.create("account", { owner: "buyer", balance: 0 });
  const provider = new FakeProvider();
  let latencyMs = 0;
  const compensated = new Map<string, string[]>();
  const undone = (ctx: Ctx, name: string) => compensated.set(ctx.runId, [...(compensated.get(ctx.runId) ?? []), name]);
  const definition = defineWorkflow("racing-checkout", [
    step(
      "deposit",
      async (ctx: Ctx) =>
        ctx.driver.updateMany("account", { owner: "buyer" }, { balance: { increment: ctx.input.amount } }),
      async (ctx: Ctx) => {
        undone(ctx, "deposit");
        await ctx.driver.updateMany("account", { owner: "buyer" }, { balance: { decrement: ctx.input.amount } });
      },
      { effect: "database" },
    ),
    step(
      "charge",
      async (ctx: Ctx) => {
        if (!chargedInFlight) await sleep(latencyMs, undefined, { signal: ctx.signal });
        const charge = provider.charge(`${ctx.runId}/charge`, ctx.input.amount);
        if (chargedInFlight) await sleep(latencyMs, undefined, { signal: ctx.signal });
        return charge;
      },
      (ctx: Ctx, charge: { id: string }) => {
        undone(ctx, "charge");
        provider.refund(charge.id);
      },
    ),
    step("ship", () => ({ shipped: true })),
  ]) as unknown as WorkflowDefinition<never, unknown>;

  const tally = { COMPLETED: 0, CANCELLED: 0, notFound: 0 };
  for (let race = 0; race < RACES; race += 1) {
    const runId = crypto.randomUUID();
    latencyMs = race % 4;
    const outcome = executeWorkflow(db.driver, definition, {
      runId,
      input: { amount: 10 },
      store,
      logger: silentLogger,
    });
    // Cancels land from the run's start to after its last step: once it is journaled, more event-loop turns later each race.
    while (race % 2 === 1 && (await store.getRun(runId)) === null) await nextTurn();
    for (let turn = 0; turn < (race * 7) % 30; turn += 1) await nextTurn();
    const cancel = await cancelRun(store, runId, { by: "racer", waitMs: 5000 });
    const ended = await outcome;
    const run = (await store.getRun(runId))!;
    expect(run.status).toBe(ended.status);
    const charge = provider.charges.get(`${runId}/charge`);
    if (run.status === "COMPLETED") {
      // RUN_NOT_FOUND: the cancel came before the run's start was journaled, so there was nothing to cancel yet.
      expect(cancel.changed).toBe(false);
      expect(["RUN_ALREADY_ENDED", "RUN_NOT_FOUND"]).toContain(cancel.changed ? null : cancel.code);
      if (!cancel.changed && cancel.code === "RUN_NOT_FOUND") tally.notFound += 1;
      expect(compensated.get(runId)).toBeUndefined();
      expect(charge !== undefined && !provider.refunds.has(charge.id)).toBe(true);
    } else {
      expect(run.status).toBe("CANCELLED");
      expect(cancel).toMatchObject({ changed: true, run: { status: "CANCELLED" } });
      // Never CANCELLED with a charge standing.
      if (charge !== undefined) expect(provider.refunds.has(charge.id)).toBe(true);
    }
    tally[run.status as "COMPLETED" | "CANCELLED"] += 1;
  }
  // Every completed run's deposit stands and every cancelled one's was taken back.
  expect(Number((await db.driver.findOne("account", { owner: "buyer" }))?.balance)).toBe(10 * tally.COMPLETED);
  expect(provider.charges.size - provider.refunds.size).toBe(tally.COMPLETED);
  // The race went both ways, or it tested only one side.
  expect(tally.CANCELLED).toBeGreaterThan(0);
  expect(tally.COMPLETED - tally.notFound).toBeGreaterThan(0);
}

export function cancelRaceCases(createDatabase: () => Promise<TestDatabase<unknown>>): void {
  test(
    `a cancel racing the run's end ${RACES} times: COMPLETED with its charge, or CANCELLED with it refunded, never a mix`,
    () => raceCancels(createDatabase, false),
    120_000,
  );

  // The cut-off charge is in doubt: it runs again under its key, the provider answers with the charge it took, and
  // the run refunds it.
  test(
    "a cancel that cuts off a charge's answer after the provider took it still refunds it",
    () => raceCancels(createDatabase, true),
    120_000,
  );
}
