/**
 * Run control used the wrong way, against a real app database and journal: two cancels at once, two retries at
 * once, a retry of a cancelled run, a resume of a run that is not parked. Each is answered, and none runs a
 * compensation twice or disturbs the run.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { expect, onTestFinished, test } from "vitest";
import { defineWorkflow, step, type StepContext } from "../../src/index.ts";
import { openRunJournal } from "../../src/persistence/open-run-journal.ts";
import { cancelRun } from "../../src/engine/control/cancel-run.ts";
import type { WorkflowDefinition } from "../../src/engine/definition/define-workflow.ts";
import type { DurableRunJournal } from "../../src/engine/journal/durable-run-journal.ts";
import { executeWorkflow } from "../../src/engine/execution/execute-workflow.ts";
import { silentLogger } from "../../src/engine/logger.ts";
import { resumeRun, retryRun } from "../../src/engine/control/reopen-run.ts";
import { resumeWorkflow } from "../../src/engine/recovery/resume-workflow.ts";
import { stopExecutingRuns } from "../../src/engine/control/run-signals.ts";
import { Latch } from "../helpers/latch.ts";
import { retryUntil } from "../helpers/retry-until.ts";
import type { TestDatabase } from "../helpers/test-database.ts";
import { FakeProvider } from "./fake-provider.ts";

type Ctx = StepContext<{ amount: number; fail?: boolean }, undefined, Record<string, never>>;

interface Fixture {
  db: TestDatabase<unknown>;
  store: DurableRunJournal;
  provider: FakeProvider;
  definition: WorkflowDefinition<never, unknown>;
  /** Opens once the slow step is under way. */
  waiting: Latch;
  /** Lets the slow step finish. */
  release: Latch;
  refundsWork: { value: boolean };
  start(input: { amount: number; fail?: boolean }): { runId: string; outcome: Promise<unknown> };
}

async function setUp(createDatabase: () => Promise<TestDatabase<unknown>>): Promise<Fixture> {
  const db = await createDatabase();
  const store = await openRunJournal(db.url, { leaseMs: 60_000 });
  onTestFinished(async () => {
    await store.close();
    await db.close();
  });
  const provider = new FakeProvider();
  const waiting = new Latch();
  const release = new Latch();
  const refundsWork = { value: true };
  const definition = defineWorkflow("abused-checkout", [
    step(
      "charge",
      async (ctx: Ctx) => provider.charge(`${ctx.runId}/charge`, ctx.input.amount),
      async (_ctx: Ctx, charge: { id: string }) => {
        if (!refundsWork.value) throw new Error("refund API down");
        // Slow enough that a second compensation of the same step would overlap it.
        await sleep(20);
        provider.refund(charge.id);
      },
      { compensationRetry: { maxAttempts: 1 } },
    ),
    step("wait", async (ctx: Ctx) => {
      if (ctx.input.fail) throw new Error("out of stock");
      waiting.open();
      await new Promise<void>((resolve, reject) => {
        ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason as Error), { once: true });
        void release.wait().then(resolve);
      });
      return { waited: true };
    }),
  ]) as unknown as WorkflowDefinition<never, unknown>;
  const start = (input: { amount: number; fail?: boolean }) => {
    const runId = crypto.randomUUID();
    const outcome = executeWorkflow(db.driver, definition, {
      runId,
      input: input as never,
      store,
      logger: silentLogger,
    }).catch((error: unknown) => error);
    return { runId, outcome };
  };
  return { db, store, provider, definition, waiting, release, refundsWork, start };
}

const reopenOptions = (fixture: Fixture) => ({
  store: fixture.store,
  driver: fixture.db.driver,
  workflows: [fixture.definition],
  logger: silentLogger,
  by: "ops",
  waitMs: 5000,
});

export function runControlAbuseCases(createDatabase: () => Promise<TestDatabase<unknown>>): void {
  test("two cancels at once: the run ends CANCELLED once, its charge refunded once", async () => {
    const fixture = await setUp(createDatabase);
    const { runId, outcome } = fixture.start({ amount: 10 });
    await fixture.waiting.wait();
    const answers = await Promise.all([
      cancelRun(fixture.store, runId, { by: "a", waitMs: 5000 }),
      cancelRun(fixture.store, runId, { by: "b", waitMs: 5000 }),
    ]);
    await outcome;
    const run = await fixture.store.getRun(runId);
    expect(run?.status).toBe("CANCELLED");
    expect(fixture.provider.refundCalls).toBe(1);
    // Whoever lost is told the run ended, or that it is being cancelled already: never that it failed.
    for (const answer of answers) {
      if (answer.changed) expect(answer.run.status).toBe("CANCELLED");
      else if (answer.code === "RUN_COMPENSATING")
        expect(answer.message).toMatch(/already being cancelled \(asked by [ab]\)/);
      else expect(answer.code).toBe("RUN_ALREADY_ENDED");
    }
    expect(answers.some((answer) => answer.changed)).toBe(true);
    expect(["a", "b"]).toContain(run?.cancelRequest?.by);
  });

  test("a cancelled run cannot be retried, and resuming it or a running run is refused; neither touches the run", async () => {
    const fixture = await setUp(createDatabase);
    const running = fixture.start({ amount: 10 });
    await fixture.waiting.wait();
    const resumed = await resumeRun(running.runId, reopenOptions(fixture));
    expect(resumed).toMatchObject({ changed: false, code: "RUN_NOT_PARKED" });
    expect(await retryRun(running.runId, reopenOptions(fixture))).toMatchObject({
      changed: false,
      code: "RUN_NOT_RETRYABLE",
    });
    expect((await fixture.store.getRun(running.runId))?.status).toBe("RUNNING");
    expect(await cancelRun(fixture.store, running.runId, { waitMs: 5000 })).toMatchObject({
      changed: true,
      run: { status: "CANCELLED" },
    });
    await running.outcome;
    const before = await fixture.store.getJournaledRun(running.runId);
    expect(await retryRun(running.runId, reopenOptions(fixture))).toMatchObject({
      changed: false,
      code: "RUN_NOT_RETRYABLE",
    });
    expect(await resumeRun(running.runId, reopenOptions(fixture))).toMatchObject({
      changed: false,
      code: "RUN_NOT_PARKED",
    });
    expect(await cancelRun(fixture.store, running.runId)).toMatchObject({ changed: false, code: "RUN_ALREADY_ENDED" });
    expect((await fixture.store.getJournaledRun(running.runId))?.lastSeq).toBe(before?.lastSeq);
    expect(fixture.provider.refundCalls).toBe(1);
  });

  test("two retries at once of a run whose refund failed: one reopens it, the refund runs once", async () => {
    const fixture = await setUp(createDatabase);
    fixture.refundsWork.value = false;
    const { runId, outcome } = fixture.start({ amount: 10, fail: true });
    await outcome;
    await retryUntil(async () => (await fixture.store.getRun(runId))?.status === "FAILED", {
      what: "the run to fail its refund",
    });
    fixture.refundsWork.value = true;
    const answers = await Promise.all([
      retryRun(runId, reopenOptions(fixture)),
      retryRun(runId, reopenOptions(fixture)),
    ]);
    await Promise.all(answers.map((answer) => (answer.changed ? answer.finished : undefined)));
    expect(answers.filter((answer) => answer.changed)).toHaveLength(1);
    const loser = answers.find((answer) => !answer.changed);
    expect(loser?.changed ? null : loser?.code).toMatch(/^(RUN_CHANGED|RUN_NOT_RETRYABLE)$/);
    expect((await fixture.store.getRun(runId))?.status).toBe("COMPENSATED");
    expect(fixture.provider.refundCalls).toBe(1);
  });

  test("a cancel asked while the owner shuts down is honoured: the run is never left RUNNING nor its charge standing", async () => {
    const fixture = await setUp(createDatabase);
    const { runId, outcome } = fixture.start({ amount: 10 });
    await fixture.waiting.wait();
    const [cancel] = await Promise.all([
      cancelRun(fixture.store, runId, { by: "ops", reason: "during shutdown" }),
      stopExecutingRuns(fixture.store.owner),
    ]);
    expect(cancel.changed).toBe(true);
    await outcome;
    const journaled = (await fixture.store.getJournaledRun(runId))!;
    if (journaled.run.status === "RUNNING" || journaled.run.status === "COMPENSATING") {
      // The shutdown won: recovery (here, this instance after its restart) takes the run up and honours the cancel.
      expect(await fixture.store.claimRun(runId, fixture.store.owner, fixture.store.leaseMs)).not.toBeNull();
      await resumeWorkflow(fixture.db.driver, fixture.definition, (await fixture.store.getJournaledRun(runId))!, {
        store: fixture.store,
        logger: silentLogger,
      });
    }
    expect(await fixture.store.getRun(runId)).toMatchObject({
      status: "CANCELLED",
      cancelRequest: { by: "ops", reason: "during shutdown" },
    });
    expect(fixture.provider.refundCalls).toBe(1);
  });
}
