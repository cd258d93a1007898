/**
 * Crash recovery of the engine against a real app database and journal: a run is interrupted by a journal that
 * "crashes" (see interrupting-run-journal.ts), then resumed from what the journal and the app database hold.
 */
import { expect, onTestFinished, test } from "vitest";
import { defineWorkflow, NonRetryableError, step, type StepContext } from "../../src/index.ts";
import { openRunJournal } from "../../src/persistence/open-run-journal.ts";
import type { WorkflowDefinition } from "../../src/engine/definition/define-workflow.ts";
import type { DurableRunJournal } from "../../src/engine/journal/durable-run-journal.ts";
import { executeWorkflow } from "../../src/engine/execution/execute-workflow.ts";
import { silentLogger } from "../../src/engine/logger.ts";
import { resumeWorkflow } from "../../src/engine/recovery/resume-workflow.ts";
import { CommitRefusingDriver } from "../helpers/commit-refusing-driver.ts";
import { eventIs, interruptingRunJournal, type EventMatcher } from "../helpers/interrupting-run-journal.ts";
import type { TestDatabase } from "../helpers/test-database.ts";
import { FakeProvider } from "./fake-provider.ts";

type Db = TestDatabase<unknown>;
type Ctx = StepContext<{ amount: number }, undefined, { chargeId: string; deposited: number }>;

export interface Fixture {
  db: Db;
  store: DurableRunJournal;
  provider: FakeProvider;
  accountId: string;
}

/** deposit (database) → charge (external, retried, refunded) → ship (external, may fail). */
export function checkoutWorkflow(
  provider: FakeProvider,
  options: { transactional: boolean; shipFails?: boolean; shipped?: string[] },
) {
  const steps = [
    step(
      "deposit",
      async (ctx: Ctx) => {
        await ctx.driver.updateMany("account", { owner: "buyer" }, { balance: { increment: ctx.input.amount } });
        ctx.set("deposited", ctx.input.amount);
        return { deposited: ctx.input.amount };
      },
      async (ctx: Ctx) =>
        void (await ctx.driver.updateMany("account", { owner: "buyer" }, { balance: { decrement: ctx.input.amount } })),
      { effect: "database" },
    ),
    step(
      "charge",
      (ctx: Ctx) => {
        const charge = provider.charge(ctx.idempotencyKey, ctx.input.amount);
        ctx.set("chargeId", charge.id);
        return charge;
      },
      (_ctx: Ctx, charge: { id: string }) => provider.refund(charge.id),
      { retry: { maxAttempts: 3 } },
    ),
    step("ship", (ctx: Ctx) => {
      if (options.shipFails) throw new NonRetryableError("cannot ship there");
      options.shipped?.push(ctx.get("chargeId") ?? "no charge id");
      return { shipped: true, chargeId: ctx.get("chargeId") };
    }),
  ];
  return defineWorkflow("durable-checkout", steps, {
    useTransaction: options.transactional,
  }) as unknown as WorkflowDefinition<never, unknown>;
}

export async function setUp(createDatabase: () => Promise<Db>): Promise<Fixture> {
  const db = await createDatabase();
  const store = await openRunJournal(db.url, { leaseMs: 60_000 });
  onTestFinished(async () => {
    await store.close();
    await db.close();
  });
  const account = await db.driver.create("account", { owner: "buyer", balance: 0 });
  return { db, store, provider: new FakeProvider(), accountId: String(account.id) };
}

export async function balance(fixture: Fixture): Promise<number> {
  const row = await fixture.db.driver.findOne("account", { owner: "buyer" });
  return Number(row?.balance);
}

/** Runs the workflow until the journal crashes at `at`; returns the run's id. */
export async function runUntilCrash(
  fixture: Fixture,
  definition: WorkflowDefinition<never, unknown>,
  at: EventMatcher,
  when: "before" | "after" = "before",
): Promise<string> {
  const crashing = interruptingRunJournal(fixture.store, at, when);
  const runId = crypto.randomUUID();
  await expect(
    executeWorkflow(fixture.db.driver, definition, {
      runId,
      input: { amount: 10 },
      store: crashing.store,
      logger: silentLogger,
    }),
  ).rejects.toThrow(/simulated crash/);
  expect(crashing.crashed).toBe(true);
  return runId;
}

export async function resume(fixture: Fixture, definition: WorkflowDefinition<never, unknown>, runId: string) {
  const journaled = await fixture.store.getJournaledRun(runId);
  if (!journaled) throw new Error(`run ${runId} is not in the journal`);
  return resumeWorkflow(fixture.db.driver, definition, journaled, { store: fixture.store, logger: silentLogger });
}

export function durableRunCases(createDatabase: () => Promise<Db>): void {
  test("resumes a non-transactional run at its first unfinished step; a committed database step is not applied again", async () => {
    const fixture = await setUp(createDatabase);
    const shipped: string[] = [];
    const definition = checkoutWorkflow(fixture.provider, { transactional: false, shipped });
    const runId = await runUntilCrash(fixture, definition, eventIs("step-started", "ship"));
    expect(await balance(fixture)).toBe(10);

    const outcome = await resume(fixture, definition, runId);

    expect(outcome.status).toBe("COMPLETED");
    expect(await balance(fixture)).toBe(10);
    expect(fixture.provider.charges.size).toBe(1);
    // The charge's completion was not yet durable: it ran again under the same key and got the first charge back.
    expect(shipped).toEqual(["ch_1"]);
    expect((await fixture.store.getRun(runId))?.steps.map((s) => s.status)).toEqual([
      "COMPLETED",
      "COMPLETED",
      "COMPLETED",
    ]);
  });

  test("does not re-run steps whose completion the journal holds, and feeds their results and data to later steps", async () => {
    const fixture = await setUp(createDatabase);
    const shipped: string[] = [];
    const definition = checkoutWorkflow(fixture.provider, { transactional: false, shipped });
    const runId = await runUntilCrash(fixture, definition, eventIs("step-started", "ship"), "after");
    const callsBefore = fixture.provider.calls;

    const outcome = await resume(fixture, definition, runId);

    expect(outcome).toMatchObject({ status: "COMPLETED", result: { shipped: true, chargeId: "ch_1" } });
    expect(fixture.provider.calls).toBe(callsBefore);
    expect(shipped).toEqual(["ch_1"]);
  });

  test("counts attempts from the journal: a crash during a retried step grants it no extra attempt", async () => {
    const fixture = await setUp(createDatabase);
    const definition = checkoutWorkflow(fixture.provider, { transactional: false });
    const runId = crypto.randomUUID();
    fixture.provider.failNext(`${runId}:charge`, 5);
    const crashing = interruptingRunJournal(fixture.store, eventIs("step-started", "charge", 3), "after");
    await expect(
      executeWorkflow(fixture.db.driver, definition, {
        runId,
        input: { amount: 10 },
        store: crashing.store,
        logger: silentLogger,
      }),
    ).rejects.toThrow(/simulated crash/);
    expect(fixture.provider.calls).toBe(2);

    const outcome = await resume(fixture, definition, runId);

    expect(outcome).toMatchObject({
      status: "COMPENSATED",
      failedStep: "charge",
      attempts: 3,
      compensatedSteps: ["deposit"],
    });
    expect(fixture.provider.calls).toBe(3);
    expect(await balance(fixture)).toBe(0);
  });

  test("a transactional run the crash rolled back compensates its completed external steps and ends COMPENSATED", async () => {
    const fixture = await setUp(createDatabase);
    const definition = checkoutWorkflow(fixture.provider, { transactional: true });
    const runId = await runUntilCrash(fixture, definition, eventIs("step-started", "ship"), "after");
    expect(await balance(fixture)).toBe(0);

    const outcome = await resume(fixture, definition, runId);

    expect(outcome).toMatchObject({
      status: "COMPENSATED",
      failedStep: "ship",
      rolledBack: true,
      compensatedSteps: ["charge", "deposit"],
    });
    expect(fixture.provider.refunds).toEqual(new Set(["ch_1"]));
    expect(fixture.provider.refundCalls).toBe(1);
    expect(await balance(fixture)).toBe(0);
  });

  test("an external step caught mid-flight in a transactional run is run again under its key, then compensated", async () => {
    const fixture = await setUp(createDatabase);
    const definition = checkoutWorkflow(fixture.provider, { transactional: true });
    const runId = await runUntilCrash(fixture, definition, eventIs("step-started", "charge"), "after");
    expect(fixture.provider.calls).toBe(0);

    const outcome = await resume(fixture, definition, runId);

    expect(outcome).toMatchObject({
      status: "COMPENSATED",
      failedStep: "charge",
      compensatedSteps: ["charge", "deposit"],
    });
    expect(fixture.provider.charges.size).toBe(1);
    expect(fixture.provider.refunds.size).toBe(1);
  });

  test("a journaled transactional run whose commit is refused ends COMPENSATED outside any step: the charge refunded once, no commit checkpoint", async () => {
    const fixture = await setUp(createDatabase);
    const shipped: string[] = [];
    const definition = checkoutWorkflow(fixture.provider, { transactional: true, shipped });
    const refusing = new CommitRefusingDriver(fixture.db.driver);
    const runId = crypto.randomUUID();

    const outcome = await executeWorkflow(refusing, definition, {
      runId,
      input: { amount: 10 },
      store: fixture.store,
      logger: silentLogger,
    });

    expect(refusing.refusedCommits).toBe(1);
    expect(shipped).toEqual(["ch_1"]);
    expect(outcome).toMatchObject({
      status: "COMPENSATED",
      failedStep: null,
      rolledBack: true,
      compensatedSteps: ["charge", "deposit"],
      cause: { code: "TRANSACTION_COMMIT_FAILED" },
    });
    expect(fixture.provider.refunds).toEqual(new Set(["ch_1"]));
    expect(fixture.provider.refundCalls).toBe(1);
    expect(await balance(fixture)).toBe(0);
    expect(await fixture.db.driver.readStepCheckpoint(runId, "commit")).toBeNull();
    expect(await fixture.store.getRun(runId)).toMatchObject({
      status: "COMPENSATED",
      failedStep: null,
      rolledBack: true,
      error: { code: "TRANSACTION_COMMIT_FAILED" },
    });
    expect((await fixture.store.getRun(runId))?.steps.map((s) => s.status)).toEqual([
      "COMPENSATED",
      "COMPENSATED",
      "COMPLETED",
    ]);
  });

  test("a transactional run that committed before the crash ends COMPLETED, nothing undone", async () => {
    const fixture = await setUp(createDatabase);
    const definition = checkoutWorkflow(fixture.provider, { transactional: true });
    const runId = await runUntilCrash(fixture, definition, eventIs("run-finished"));
    expect(await balance(fixture)).toBe(10);

    const outcome = await resume(fixture, definition, runId);

    expect(outcome).toMatchObject({ status: "COMPLETED", result: { shipped: true, chargeId: "ch_1" } });
    expect(fixture.provider.refundCalls).toBe(0);
    expect(await balance(fixture)).toBe(10);
    expect((await fixture.store.getRun(runId))?.steps.map((s) => s.status)).toEqual([
      "COMPLETED",
      "COMPLETED",
      "COMPLETED",
    ]);
  });

  test("an interrupted compensation resumes in reverse order; a committed database compensation is not applied twice", async () => {
    const fixture = await setUp(createDatabase);
    const definition = checkoutWorkflow(fixture.provider, { transactional: false, shipFails: true });
    // Both compensations ran; their completions were not yet durable.
    const runId = await runUntilCrash(fixture, definition, eventIs("run-finished"));
    expect(await balance(fixture)).toBe(0);
    expect((await fixture.store.getRun(runId))?.status).toBe("COMPENSATING");

    const outcome = await resume(fixture, definition, runId);

    expect(outcome).toMatchObject({
      status: "COMPENSATED",
      failedStep: "ship",
      compensatedSteps: ["charge", "deposit"],
    });
    expect(await balance(fixture)).toBe(0);
    expect(fixture.provider.refunds.size).toBe(1);
  });

  test("a compensation interrupted before it ran runs on resume, and the ones already done do not run again", async () => {
    const fixture = await setUp(createDatabase);
    const definition = checkoutWorkflow(fixture.provider, { transactional: false, shipFails: true });
    const runId = await runUntilCrash(fixture, definition, eventIs("compensation-started", "deposit"), "after");
    expect(fixture.provider.refundCalls).toBe(1);
    expect(await balance(fixture)).toBe(10);

    const outcome = await resume(fixture, definition, runId);

    expect(outcome).toMatchObject({ status: "COMPENSATED", compensatedSteps: ["charge", "deposit"] });
    expect(await balance(fixture)).toBe(0);
    // The refund's completion became durable with the next compensation's start: it is not run again.
    expect(fixture.provider.refundCalls).toBe(1);
  });

  test("a step result the journal cannot store fails the step with NOT_JOURNALABLE, and its database writes roll back", async () => {
    const fixture = await setUp(createDatabase);
    const deposit = step(
      "deposit",
      async (ctx) => {
        await ctx.driver.updateMany("account", { owner: "buyer" }, { balance: { increment: 5 } });
        return { big: 10n };
      },
      null,
      { effect: "database" },
    );
    const definition = defineWorkflow("unjournalable", [deposit]) as unknown as WorkflowDefinition<never, unknown>;

    const outcome = await executeWorkflow(fixture.db.driver, definition, {
      store: fixture.store,
      logger: silentLogger,
    });

    expect(outcome).toMatchObject({ ok: false, failedStep: "deposit", cause: { code: "NOT_JOURNALABLE" } });
    expect(outcome.ok ? "" : outcome.error).toMatch(/its result\.big is a BigInt/);
    expect(await balance(fixture)).toBe(0);
  });
}
