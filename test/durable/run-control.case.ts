/**
 * Cancelling runs through the engine, against a real app database and journal: the step under way is aborted,
 * the completed steps compensated, and the run ends CANCELLED — from this instance or another one. An external
 * step cut off mid-call is in doubt: it runs once more under its key and whatever it charged is refunded.
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
  /** Opens when the slow step is called again: the run settles it after a cancel cut it off. */
  settling: Latch;
  /** Calls of the slow step. */
  chargeCalls: number;
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
  return {
    db,
    store,
    provider: new FakeProvider(),
    charging: new Latch(),
    settling: new Latch(),
    chargeCalls: 0,
    release: new Latch(),
    compensations: [],
  };
}

async function balance(fixture: Fixture): Promise<number> {
  return Number((await fixture.db.driver.findOne("account", { owner: "buyer" }))?.balance);
}

/**
 * A charge that waits for `release` or for its signal to abort, as `fetch` would: it never charges when aborted
 * first. The provider has not seen the request until `release`: called again, it waits again.
 */
function slowCharge(fixture: Fixture) {
  return step(
    "charge",
    async (ctx: Ctx) => {
      fixture.chargeCalls += 1;
      (fixture.chargeCalls === 1 ? fixture.charging : fixture.settling).open();
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
  const steps = [
    deposit(fixture),
    middle === "charge" ? slowCharge(fixture) : stubbornStep(fixture),
    step("ship", () => ({ shipped: true })),
  ];
  return defineWorkflow("cancellable-checkout", steps, {
    useTransaction: options.transactional,
  }) as unknown as WorkflowDefinition<never, unknown>;
}

/** Every charge the provider holds for the run is refunded, each once: the run cost nothing. */
function expectNetZero(fixture: Fixture, runId: string): void {
  const charges = [...fixture.provider.charges]
    .filter(([key]) => key.startsWith(`${runId}:`))
    .map(([, charge]) => charge);
  expect(charges.every((charge) => fixture.provider.refunds.has(charge.id))).toBe(true);
  expect(fixture.provider.refundCalls).toBe(charges.length);
}

/** Waits for the cancelled run to call its cut-off charge again, checks it journaled its compensating first, and lets the provider answer. */
async function answerTheSettlingCharge(fixture: Fixture, runId: string): Promise<void> {
  await fixture.settling.wait();
  expect(await fixture.store.getRun(runId)).toMatchObject({
    status: "COMPENSATING",
    failedStep: "charge",
    error: { code: "RUN_CANCELLED" },
  });
  fixture.release.open();
}

function start(
  fixture: Fixture,
  definition: WorkflowDefinition<never, unknown>,
  store = fixture.store,
): { runId: string; outcome: Promise<WorkflowOutcome<unknown>> } {
  const runId = crypto.randomUUID();
  return {
    runId,
    outcome: executeWorkflow(fixture.db.driver, definition, {
      runId,
      input: { amount: 10 },
      store,
      logger: silentLogger,
    }),
  };
}

export function runControlCases(createDatabase: () => Promise<Db>): void {
  test("cancelling during a slow charge aborts it, undoes the deposit and ends CANCELLED", async () => {
    const fixture = await setUp(createDatabase);
    const { runId, outcome } = start(fixture, workflow(fixture, "charge"));
    await fixture.charging.wait();
    const cancelling = cancelRun(fixture.store, runId, {
      by: "admin-1",
      reason: "customer changed their mind",
      waitMs: 5000,
    });
    // The cut-off charge may have reached the provider: the run asks again under its key before it compensates.
    await answerTheSettlingCharge(fixture, runId);
    const result = await cancelling;
    expect(result).toMatchObject({ changed: true, run: { status: "CANCELLED" } });
    const ended = await outcome;
    expect(ended).toMatchObject({
      ok: false,
      status: "CANCELLED",
      failedStep: "charge",
      compensatedSteps: ["charge", "deposit"],
      cancelled: { by: "admin-1", reason: "customer changed their mind" },
    });
    // The provider never got the first request: the second one charged, and that charge was refunded.
    expect(fixture.chargeCalls).toBe(2);
    expect(fixture.provider.charges.size).toBe(1);
    expectNetZero(fixture, runId);
    expect(fixture.compensations).toEqual(["charge", "deposit"]);
    expect(await balance(fixture)).toBe(0);
    const run = await fixture.store.getRun(runId);
    expect(run).toMatchObject({
      status: "CANCELLED",
      cancelRequest: { by: "admin-1", reason: "customer changed their mind" },
    });
    expect(run!.error).toMatchObject({ code: "RUN_CANCELLED" });
    expect(run!.steps.map((s) => s.status)).toEqual(["COMPENSATED", "COMPENSATED", "SKIPPED"]);
  });

  test("a charge the provider took before a cancel cut off its answer is refunded, once", async () => {
    const fixture = await setUp(createDatabase);
    // The provider takes the charge as the request arrives; only its answer waits. A repeat of a key it holds is answered at once.
    const inFlight = step(
      "charge",
      async (ctx: Ctx) => {
        fixture.chargeCalls += 1;
        const replay = fixture.provider.charges.has(ctx.idempotencyKey);
        const charge = fixture.provider.charge(ctx.idempotencyKey, ctx.input.amount);
        fixture.charging.open();
        if (!replay)
          await new Promise((_, reject) =>
            ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason as Error), { once: true }),
          );
        return charge;
      },
      (_ctx: Ctx, charge: { id: string }) => {
        fixture.compensations.push("charge");
        fixture.provider.refund(charge.id);
      },
    );
    const definition = defineWorkflow("in-flight-checkout", [
      deposit(fixture),
      inFlight,
      step("ship", () => ({ shipped: true })),
    ]) as unknown as WorkflowDefinition<never, unknown>;
    const { runId, outcome } = start(fixture, definition);
    await fixture.charging.wait();
    expect(fixture.provider.charges.size).toBe(1);
    expect(await cancelRun(fixture.store, runId, { by: "admin-1", waitMs: 5000 })).toMatchObject({
      changed: true,
      run: { status: "CANCELLED" },
    });
    expect(await outcome).toMatchObject({ status: "CANCELLED", compensatedSteps: ["charge", "deposit"] });
    expect(fixture.chargeCalls).toBe(2);
    expect(fixture.provider.charges.size).toBe(1);
    expectNetZero(fixture, runId);
    expect(fixture.compensations).toEqual(["charge", "deposit"]);
    expect(await balance(fixture)).toBe(0);
  });

  test("a shutdown while the run settles its cut-off charge: recovery settles it again under its key, and refunds once", async () => {
    const fixture = await setUp(createDatabase);
    const definition = workflow(fixture, "charge");
    const { runId, outcome } = start(fixture, definition);
    await fixture.charging.wait();
    await cancelRun(fixture.store, runId, { by: "admin-1" });
    await fixture.settling.wait();
    // The process stops during the re-run, as a crash would stop it: the journal shows the run compensating, the charge running.
    expect(await stopExecutingRuns(fixture.store.owner)).toBe(1);
    await expect(outcome).rejects.toMatchObject({ code: "RUN_SHUTDOWN" });
    const stopped = (await fixture.store.getRun(runId))!;
    expect(stopped).toMatchObject({ status: "COMPENSATING", failedStep: "charge" });
    expect(stopped.steps.map((s) => s.status)).toEqual(["COMPLETED", "RUNNING", "PENDING"]);
    expect(fixture.compensations).toEqual([]);
    fixture.release.open();
    await fixture.store.claimRun(runId, fixture.store.owner, fixture.store.leaseMs);
    const resumed = await resumeWorkflow(fixture.db.driver, definition, (await fixture.store.getJournaledRun(runId))!, {
      store: fixture.store,
      logger: silentLogger,
    });
    expect(resumed).toMatchObject({ status: "CANCELLED", compensatedSteps: ["charge", "deposit"] });
    expect(fixture.chargeCalls).toBe(3);
    expect(fixture.provider.charges.size).toBe(1);
    expectNetZero(fixture, runId);
    expect(fixture.compensations).toEqual(["charge", "deposit"]);
    expect(await balance(fixture)).toBe(0);
    const events = (await fixture.store.listEvents({ runId })).map(({ event }) => event);
    const chargeUndone = events.filter((event) => event.type === "compensation-started" && event.step === "charge");
    expect(chargeUndone).toHaveLength(1);
    expect((await fixture.store.getRun(runId))!.steps.map((s) => s.status)).toEqual([
      "COMPENSATED",
      "COMPENSATED",
      "SKIPPED",
    ]);
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
    await answerTheSettlingCharge(fixture, runId);
    expect(await outcome).toMatchObject({ status: "CANCELLED", cancelled: { by: "admin-2", reason: "fraud" } });
    expect(await balance(fixture)).toBe(0);
    expectNetZero(fixture, runId);
    expect((await other.getRun(runId))?.status).toBe("CANCELLED");
  });

  test("cancelling a transactional run rolls its transaction back and refunds its external step", async () => {
    const fixture = await setUp(createDatabase);
    const steps = [
      deposit(fixture),
      step(
        "pay",
        (ctx: Ctx) => fixture.provider.charge(ctx.idempotencyKey, 10),
        (_ctx: Ctx, c: { id: string }) => fixture.provider.refund(c.id),
      ),
      slowCharge(fixture),
    ];
    const definition = defineWorkflow("cancellable-transaction", steps, {
      useTransaction: true,
    }) as unknown as WorkflowDefinition<never, unknown>;
    const { runId, outcome } = start(fixture, definition);
    await fixture.charging.wait();
    await cancelRun(fixture.store, runId, { by: "admin-1" });
    await answerTheSettlingCharge(fixture, runId);
    expect(await outcome).toMatchObject({
      status: "CANCELLED",
      rolledBack: true,
      compensatedSteps: ["charge", "pay", "deposit"],
    });
    expect(await balance(fixture)).toBe(0);
    // Both charges — "pay", and the cut-off one made when asked again — are refunded; the rollback undid the deposit.
    expect(fixture.provider.charges.size).toBe(2);
    expectNetZero(fixture, runId);
    expect(fixture.compensations).toEqual(["charge"]);
  });

  test("a cancel asked while a failed run compensates changes nothing: it ends as it would have", async () => {
    const fixture = await setUp(createDatabase);
    const compensating = new Latch();
    const steps = [
      step(
        "reserve",
        () => ({ reserved: true }),
        async () => {
          compensating.open();
          await fixture.release.wait();
          fixture.compensations.push("reserve");
        },
      ),
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
    const definition = defineWorkflow("pivoting", steps, {
      forwardRecovery: { maxAttempts: 1 },
    }) as unknown as WorkflowDefinition<never, unknown>;
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
    const resumed = await resumeWorkflow(fixture.db.driver, definition, (await fixture.store.getJournaledRun(runId))!, {
      store: fixture.store,
      logger: silentLogger,
    });
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
    // The charge was interrupted mid-call: recovery asks again under its key, and the provider answers at once.
    fixture.release.open();
    const resumed = await resumeWorkflow(fixture.db.driver, definition, (await fixture.store.getJournaledRun(runId))!, {
      store: fixture.store,
      logger: silentLogger,
    });
    expect(resumed).toMatchObject({
      status: "CANCELLED",
      compensatedSteps: ["charge", "deposit"],
      cancelled: { by: "admin-1", reason: "while down" },
    });
    expect(await balance(fixture)).toBe(0);
    expect(fixture.provider.charges.size).toBe(1);
    expectNetZero(fixture, runId);
    await retryUntil(async () => (await fixture.store.getRun(runId))?.status === "CANCELLED");
  });

  test("a step's timeout aborts its signal and fails the run", async () => {
    const fixture = await setUp(createDatabase);
    let aborted: unknown;
    const steps = [
      step(
        "slow",
        async (ctx: Ctx) => {
          await new Promise((_, reject) =>
            ctx.signal.addEventListener("abort", () => reject((aborted = ctx.signal.reason) as Error), { once: true }),
          );
        },
        undefined,
        { timeout: 50 },
      ),
    ];
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
      step(
        "charge",
        () => ({ id: "ch_1" }),
        () => {
          refunds.push("charge");
          if (!refundWorks) throw new Error("refund API down");
        },
        { compensationRetry: { maxAttempts: 2 } },
      ),
      step(
        "reserve",
        () => ({ reserved: true }),
        () => void refunds.push("reserve"),
      ),
      step("ship", () => {
        throw new Error("no carrier");
      }),
    ];
    const definition = defineWorkflow("refund-later", steps) as unknown as WorkflowDefinition<never, unknown>;
    const { runId, outcome } = start(fixture, definition);
    expect((await outcome).status).toBe("FAILED");
    expect(refunds).toEqual(["reserve", "charge", "charge"]);
    refundWorks = true;
    const options = {
      store: fixture.store,
      driver: fixture.db.driver,
      workflows: [definition],
      logger: silentLogger,
      by: "admin-1",
      reason: "refund API is back",
    };
    const result = await retryRun(runId, options);
    expect(result.changed).toBe(true);
    expect((await result.finished)?.status).toBe("COMPENSATED");
    expect(refunds).toEqual(["reserve", "charge", "charge", "charge"]);
    const run = (await fixture.store.getRun(runId))!;
    expect(run.status).toBe("COMPENSATED");
    expect(run.steps.map((s) => s.status)).toEqual(["COMPENSATED", "COMPENSATED", "FAILED"]);
    const events = (await fixture.store.listEvents({ runId })).map(({ event }) => event);
    expect(events).toContainEqual(
      expect.objectContaining({ type: "run-reopened", action: "retry", by: "admin-1", reason: "refund API is back" }),
    );
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
    expect(await fixture.store.getRun(runId)).toMatchObject({
      status: "FAILED",
      error: { code: "RECOVERY_EXHAUSTED" },
    });
    fixture.release.open();
    const options = {
      store: fixture.store,
      driver: fixture.db.driver,
      workflows: [definition],
      logger: silentLogger,
      by: "admin-1",
      reason: "provider fixed",
    };
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
    const other = defineWorkflow("cancellable-checkout", [step("only", () => 1)]) as unknown as WorkflowDefinition<
      never,
      unknown
    >;
    const result = await resumeRun(runId, {
      store: fixture.store,
      driver: fixture.db.driver,
      workflows: [other],
      logger: silentLogger,
    });
    expect(result).toMatchObject({ changed: false, code: "WORKFLOW_DEFINITION_CHANGED" });
    expect((await fixture.store.getJournaledRun(runId))?.parkedAt).not.toBeNull();
  });
}
