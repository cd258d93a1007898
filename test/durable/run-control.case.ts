/**
 * Cancelling runs through the engine, against a real app database and journal: the step under way is aborted,
 * the completed steps compensated, and the run ends CANCELLED — from this instance or another one.
 */
import { expect, onTestFinished, test } from "vitest";
import { defineWorkflow, step, type StepContext } from "../../src/index.ts";
import { openRunJournal } from "../../src/persistence/open-run-journal.ts";
import { cancelRun } from "../../src/engine/control/cancel-run.ts";
import { resumeRun, retryRun } from "../../src/engine/control/reopen-run.ts";
import type { WorkflowDefinition } from "../../src/engine/definition/define-workflow.ts";
import type { DurableRunJournal } from "../../src/engine/journal/durable-run-journal.ts";
import { executeWorkflow, type WorkflowOutcome } from "../../src/engine/execution/execute-workflow.ts";
import { silentLogger } from "../../src/engine/logger.ts";
import { resumeWorkflow } from "../../src/engine/recovery/resume-workflow.ts";
import { stopExecutingRuns } from "../../src/engine/control/run-signals.ts";
import { Latch } from "../helpers/latch.ts";
import { retryUntil } from "../helpers/retry-until.ts";
import type { TestDatabase } from "../helpers/test-database.ts";
import { FakeProvider } from "./fake-provider.ts";

type Db = TestDatabase<unknown>;
type Ctx = StepContext<{ amount: number }, undefined, { chargeId: string; late: string }>;

interface Fixture {
  db: Db;
  store: DurableRunJournal;
  provider: FakeProvider;
  /** Opens when the slow step started. */
  charging: Latch;
  /** Lets a slow step that ignores its signal resolve, late. */
  release: Latch;
  compensations: string[];
}

async function setUp(createDatabase: () => Promise<Db>): Promise<Fixture> {
  const db = await createDatabase();
  const store = await openRunJournal(db.url, { leaseMs: 60_000 });
  onTestFinished(async () => {
    await store.close();
    await db.close();
  });
  await db.driver.create("account", { owner: "buyer", balance: 0 });
  return { db, store, provider: new FakeProvider(), charging: new Latch(), release: new Latch(), compensations: [] };
}

async function balance(fixture: Fixture): Promise<number> {
  return Number((await fixture.db.driver.findOne("account", { owner: "buyer" }))?.balance);
}

/** A charge that waits until its signal aborts, as `fetch` would: it never charges when aborted first. */
function slowCharge(fixture: Fixture) {
  return step(
    "charge",
    async (ctx: Ctx) => {
      fixture.charging.open();
      await new Promise<void>((resolve, reject) => {
        ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason as Error), { once: true });
        void fixture.release.wait().then(resolve);
      });
      const charge = fixture.provider.charge(ctx.idempotencyKey, ctx.input.amount);
      ctx.set("chargeId", charge.id);
      return charge;
    },
    (_ctx: Ctx, charge: { id: string }) => {
      fixture.compensations.push("charge");
      fixture.provider.refund(charge.id);
    },
  );
}

/** A step that ignores its signal and resolves late, after `release`, with a result that must never be used. */
function stubbornStep(fixture: Fixture) {
  return step("stubborn", async (ctx: Ctx) => {
    fixture.charging.open();
    await fixture.release.wait();
    if (!ctx.signal.aborted) ctx.set("late", "written late");
    return { late: true };
  });
}

function deposit(fixture: Fixture) {
  return step(
    "deposit",
    async (ctx: Ctx) => {
      await ctx.driver.updateMany("account", { owner: "buyer" }, { balance: { increment: ctx.input.amount } });
      return { deposited: ctx.input.amount };
    },
    async (ctx: Ctx) => {
      fixture.compensations.push("deposit");
      await ctx.driver.updateMany("account", { owner: "buyer" }, { balance: { decrement: ctx.input.amount } });
    },
    { effect: "database" },
  );
}

function workflow(fixture: Fixture, middle: "charge" | "stubborn", options: { transactional?: boolean } = {}) {
  const steps = [deposit(fixture), middle === "charge" ? slowCharge(fixture) : stubbornStep(fixture), step("ship", () => ({ shipped: true }))];
  return defineWorkflow("cancellable-checkout", steps, { useTransaction: options.transactional }) as unknown as WorkflowDefinition<never, unknown>;
}

function start(fixture: Fixture, definition: WorkflowDefinition<never, unknown>, store = fixture.store): { runId: string; outcome: Promise<WorkflowOutcome<unknown>> } {
  const runId = crypto.randomUUID();
  return { runId, outcome: executeWorkflow(fixture.db.driver, definition, { runId, input: { amount: 10 }, store, logger: silentLogger }) };
}

export function runControlCases(createDatabase: () => Promise<Db>): void {
  test("cancelling during a slow charge aborts it, undoes the deposit and ends CANCELLED", async () => {
    const fixture = await setUp(createDatabase);
    const { runId, outcome } = start(fixture, workflow(fixture, "charge"));
    await fixture.charging.wait();
    const result = await cancelRun(fixture.store, runId, { by: "admin-1", reason: "customer changed their mind", waitMs: 5000 });
    expect(result.changed).toBe(true);
    const ended = await outcome;
    expect(ended).toMatchObject({ ok: false, status: "CANCELLED", cancelled: { by: "admin-1", reason: "customer changed their mind" } });
    expect(fixture.provider.charges.size).toBe(0);
    expect(await balance(fixture)).toBe(0);
    const run = await fixture.store.getRun(runId);
    expect(run).toMatchObject({ status: "CANCELLED", cancelRequest: { by: "admin-1", reason: "customer changed their mind" } });
    expect(run!.error).toMatchObject({ code: "RUN_CANCELLED" });
    expect(run!.steps.map((s) => s.status)).toEqual(["COMPENSATED", "FAILED", "SKIPPED"]);
  });

  test("a step that ignores its signal and resolves late is fenced: its result is never journaled nor used", async () => {
    const fixture = await setUp(createDatabase);
    const { runId, outcome } = start(fixture, workflow(fixture, "stubborn"));
    await fixture.charging.wait();
    await cancelRun(fixture.store, runId, { by: "admin-1" });
    expect((await outcome).status).toBe("CANCELLED");
    fixture.release.open();
    await new Promise((resolve) => setImmediate(resolve));
    const run = (await fixture.store.getRun(runId))!;
    expect(run.steps[1]).toMatchObject({ status: "FAILED", result: null });
    expect(run.data).not.toHaveProperty("late");
    const events = await fixture.store.listEvents({ runId });
    expect(events.some(({ event }) => event.type === "step-completed" && event.step === "stubborn")).toBe(false);
  });

  test("a cancel asked on another instance reaches the run's owner through the journal", async () => {
    const fixture = await setUp(createDatabase);
    const other = await openRunJournal(fixture.db.url, { leaseMs: 60_000, owner: "the-other-instance" });
    onTestFinished(() => other.close());
    const { runId, outcome } = start(fixture, workflow(fixture, "charge"));
    await fixture.charging.wait();
    const result = await cancelRun(other, runId, { by: "admin-2", reason: "fraud" });
    expect(result.changed).toBe(true);
    expect(await outcome).toMatchObject({ status: "CANCELLED", cancelled: { by: "admin-2", reason: "fraud" } });
    expect(await balance(fixture)).toBe(0);
    expect((await other.getRun(runId))?.status).toBe("CANCELLED");
  });

  test("cancelling a transactional run rolls its transaction back and refunds its external step", async () => {
    const fixture = await setUp(createDatabase);
    const steps = [deposit(fixture), step("pay", (ctx: Ctx) => fixture.provider.charge(ctx.idempotencyKey, 10), (_ctx: Ctx, c: { id: string }) => fixture.provider.refund(c.id)), slowCharge(fixture)];
    const definition = defineWorkflow("cancellable-transaction", steps, { useTransaction: true }) as unknown as WorkflowDefinition<never, unknown>;
    const { runId, outcome } = start(fixture, definition);
    await fixture.charging.wait();
    await cancelRun(fixture.store, runId, { by: "admin-1" });
    expect(await outcome).toMatchObject({ status: "CANCELLED", rolledBack: true });
    expect(await balance(fixture)).toBe(0);
    expect(fixture.provider.refunds.size).toBe(1);
    expect(fixture.compensations).toEqual([]);
  });

  test("a cancel asked while a failed run compensates changes nothing: it ends as it would have", async () => {
    const fixture = await setUp(createDatabase);
    const compensating = new Latch();
    const steps = [
      step("reserve", () => ({ reserved: true }), async () => {
        compensating.open();
        await fixture.release.wait();
        fixture.compensations.push("reserve");
      }),
      step("pay", () => {
        throw new Error("card declined");
      }),
    ];
    const definition = defineWorkflow("failing-checkout", steps) as unknown as WorkflowDefinition<never, unknown>;
    const { runId, outcome } = start(fixture, definition);
    await compensating.wait();
    const result = await cancelRun(fixture.store, runId, { by: "admin-1" });
    expect(result).toMatchObject({ changed: false, code: "RUN_COMPENSATING" });
    fixture.release.open();
    expect((await outcome).status).toBe("COMPENSATED");
    expect(fixture.compensations).toEqual(["reserve"]);
  });

  test("cancelling a finished run changes nothing and says so", async () => {
    const fixture = await setUp(createDatabase);
    fixture.release.open();
    const { runId, outcome } = start(fixture, workflow(fixture, "charge"));
    expect((await outcome).status).toBe("COMPLETED");
    const before = await fixture.store.getJournaledRun(runId);
    const result = await cancelRun(fixture.store, runId, { by: "admin-1" });
    expect(result).toMatchObject({ changed: false, code: "RUN_ALREADY_ENDED", run: { status: "COMPLETED" } });
    const after = await fixture.store.getJournaledRun(runId);
    expect(after!.lastSeq).toBe(before!.lastSeq);
    expect(after!.run.cancelRequest).toBeNull();
  });

  test("a run past its pivot cannot be cancelled backwards", async () => {
    const fixture = await setUp(createDatabase);
    const steps = [step("ship", () => ({ shipped: true })), slowCharge(fixture)];
    const definition = defineWorkflow("pivoting", steps, { forwardRecovery: { maxAttempts: 1 } }) as unknown as WorkflowDefinition<never, unknown>;
    const { runId, outcome } = start(fixture, definition);
    await fixture.charging.wait();
    const result = await cancelRun(fixture.store, runId, { by: "admin-1", workflows: [definition] });
    expect(result).toMatchObject({ changed: false, code: "RUN_PAST_PIVOT" });
    // Without the workflows to check against, the owner declines the cancel itself.
    expect((await cancelRun(fixture.store, runId, { by: "admin-1" })).changed).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    fixture.release.open();
    expect((await outcome).status).toBe("COMPLETED");
  });

  test("a shutdown aborts the step under way without failing the run; recovery then finishes it", async () => {
    const fixture = await setUp(createDatabase);
    const definition = workflow(fixture, "charge");
    const { runId, outcome } = start(fixture, definition);
    await fixture.charging.wait();
    expect(await stopExecutingRuns(fixture.store.owner)).toBe(1);
    await expect(outcome).rejects.toMatchObject({ code: "RUN_SHUTDOWN" });
    const journaled = (await fixture.store.getJournaledRun(runId))!;
    expect(journaled).toMatchObject({ owner: null, run: { status: "RUNNING" } });
    fixture.release.open();
    const lease = await fixture.store.claimRun(runId, fixture.store.owner, fixture.store.leaseMs);
    expect(lease).not.toBeNull();
    const resumed = await resumeWorkflow(fixture.db.driver, definition, (await fixture.store.getJournaledRun(runId))!, { store: fixture.store, logger: silentLogger });
    expect(resumed.status).toBe("COMPLETED");
    expect(fixture.provider.charges.size).toBe(1);
    expect(await balance(fixture)).toBe(10);
  });

  test("a cancel journaled while the owner was gone is finished by recovery", async () => {
    const fixture = await setUp(createDatabase);
    const definition = workflow(fixture, "charge");
    const { runId, outcome } = start(fixture, definition);
    await fixture.charging.wait();
    await stopExecutingRuns(fixture.store.owner);
    await expect(outcome).rejects.toThrow();
    expect((await cancelRun(fixture.store, runId, { by: "admin-1", reason: "while down" })).changed).toBe(true);
    await fixture.store.claimRun(runId, fixture.store.owner, fixture.store.leaseMs);
    const resumed = await resumeWorkflow(fixture.db.driver, definition, (await fixture.store.getJournaledRun(runId))!, { store: fixture.store, logger: silentLogger });
    expect(resumed).toMatchObject({ status: "CANCELLED", cancelled: { by: "admin-1", reason: "while down" } });
    expect(await balance(fixture)).toBe(0);
    expect(fixture.provider.charges.size).toBe(0);
    await retryUntil(async () => (await fixture.store.getRun(runId))?.status === "CANCELLED");
  });

  test("a step's timeout aborts its signal and fails the run", async () => {
    const fixture = await setUp(createDatabase);
    let aborted: unknown;
    const steps = [step("slow", async (ctx: Ctx) => {
      await new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject((aborted = ctx.signal.reason) as Error), { once: true }));
    }, undefined, { timeout: 50 })];
    const definition = defineWorkflow("timing-out", steps) as unknown as WorkflowDefinition<never, unknown>;
    const { outcome } = start(fixture, definition);
    expect(await outcome).toMatchObject({ status: "COMPENSATED", cause: { code: "STEP_TIMEOUT" } });
    expect(aborted).toMatchObject({ code: "STEP_TIMEOUT" });
  });

  test("retrying a FAILED run once its compensation is fixed runs only the failed compensations again", async () => {
    const fixture = await setUp(createDatabase);
    let refundWorks = false;
    const refunds: string[] = [];
    const steps = [
      step("charge", () => ({ id: "ch_1" }), () => {
        refunds.push("charge");
        if (!refundWorks) throw new Error("refund API down");
      }, { compensationRetry: { maxAttempts: 2 } }),
      step("reserve", () => ({ reserved: true }), () => void refunds.push("reserve")),
      step("ship", () => {
        throw new Error("no carrier");
      }),
    ];
    const definition = defineWorkflow("refund-later", steps) as unknown as WorkflowDefinition<never, unknown>;
    const { runId, outcome } = start(fixture, definition);
    expect((await outcome).status).toBe("FAILED");
    expect(refunds).toEqual(["reserve", "charge", "charge"]);
    refundWorks = true;
    const options = { store: fixture.store, driver: fixture.db.driver, workflows: [definition], logger: silentLogger, by: "admin-1", reason: "refund API is back" };
    const result = await retryRun(runId, options);
    expect(result.changed).toBe(true);
    expect((await result.finished)?.status).toBe("COMPENSATED");
    expect(refunds).toEqual(["reserve", "charge", "charge", "charge"]);
    const run = (await fixture.store.getRun(runId))!;
    expect(run.status).toBe("COMPENSATED");
    expect(run.steps.map((s) => s.status)).toEqual(["COMPENSATED", "COMPENSATED", "FAILED"]);
    const events = (await fixture.store.listEvents({ runId })).map(({ event }) => event);
    expect(events).toContainEqual(expect.objectContaining({ type: "run-reopened", action: "retry", by: "admin-1", reason: "refund API is back" }));
    expect(await retryRun(runId, options)).toMatchObject({ changed: false, code: "RUN_NOT_RETRYABLE" });
  });

  test("resuming a parked run once a fix is deployed takes it up where its journal stands", async () => {
    const fixture = await setUp(createDatabase);
    const definition = workflow(fixture, "charge");
    const { runId, outcome } = start(fixture, definition);
    await fixture.charging.wait();
    await stopExecutingRuns(fixture.store.owner);
    await expect(outcome).rejects.toThrow();
    expect(await fixture.store.parkRun(runId, "taken over too many times")).toBe(true);
    expect((await fixture.store.getRun(runId))).toMatchObject({ status: "FAILED", error: { code: "RECOVERY_EXHAUSTED" } });
    fixture.release.open();
    const options = { store: fixture.store, driver: fixture.db.driver, workflows: [definition], logger: silentLogger, by: "admin-1", reason: "provider fixed" };
    const result = await resumeRun(runId, options);
    expect(result).toMatchObject({ changed: true });
    expect((await result.finished)?.status).toBe("COMPLETED");
    const journaled = (await fixture.store.getJournaledRun(runId))!;
    expect(journaled).toMatchObject({ parkedAt: null, recoveryAttempts: 0, run: { status: "COMPLETED", error: null } });
    expect(journaled.run.steps.map((s) => s.status)).toEqual(["COMPLETED", "COMPLETED", "COMPLETED"]);
    expect(await balance(fixture)).toBe(10);
    expect(await resumeRun(runId, options)).toMatchObject({ changed: false, code: "RUN_NOT_PARKED" });
  });

  test("a parked run is not resumed with a workflow whose steps changed", async () => {
    const fixture = await setUp(createDatabase);
    const { runId, outcome } = start(fixture, workflow(fixture, "charge"));
    await fixture.charging.wait();
    await stopExecutingRuns(fixture.store.owner);
    await expect(outcome).rejects.toThrow();
    await fixture.store.parkRun(runId, "gave up");
    const other = defineWorkflow("cancellable-checkout", [step("only", () => 1)]) as unknown as WorkflowDefinition<never, unknown>;
    const result = await resumeRun(runId, { store: fixture.store, driver: fixture.db.driver, workflows: [other], logger: silentLogger });
    expect(result).toMatchObject({ changed: false, code: "WORKFLOW_DEFINITION_CHANGED" });
    expect((await fixture.store.getJournaledRun(runId))?.parkedAt).not.toBeNull();
  });
}
