/** Recovery between instances sharing one journal: takeover after the lease, exactly one winner, parking. */
import { expect, onTestFinished, test } from "vitest";
import { openRunJournal } from "../../src/persistence/open-run-journal.ts";
import type { WorkflowDefinition } from "../../src/engine/definition/define-workflow.ts";
import type { DurableRunJournal } from "../../src/engine/journal/durable-run-journal.ts";
import { executeWorkflow } from "../../src/engine/execution/execute-workflow.ts";
import { silentLogger } from "../../src/engine/logger.ts";
import { RunRecovery, type RecoveryPass } from "../../src/engine/recovery/run-recovery.ts";
import { defineWorkflow, step } from "../../src/index.ts";
import { eventIs, interruptingRunJournal } from "../helpers/interrupting-run-journal.ts";
import { retryUntil } from "../helpers/retry-until.ts";
import type { TestDatabase } from "../helpers/test-database.ts";
import { balance, checkoutWorkflow, runUntilCrash, setUp, type Fixture } from "./durable-runs.case.ts";
import { FakeProvider } from "./fake-provider.ts";

type Db = TestDatabase<unknown>;
const LEASE_MS = 300;

async function instance(
  fixture: Fixture,
  owner: string,
  workflows: WorkflowDefinition<never, unknown>[],
  wrap?: (s: DurableRunJournal) => DurableRunJournal,
) {
  const opened = await openRunJournal(fixture.db.url, { owner, leaseMs: LEASE_MS });
  const store = wrap ? wrap(opened) : opened;
  const recovery = new RunRecovery({
    store,
    driver: fixture.db.driver,
    workflows,
    logger: silentLogger,
    maxRecoveryAttempts: 1,
  });
  onTestFinished(async () => {
    await recovery.stop();
    await opened.close();
  });
  return { store, recovery };
}

async function shortLeaseFixture(createDatabase: () => Promise<Db>): Promise<Fixture> {
  const fixture = await setUp(createDatabase);
  const store = await openRunJournal(fixture.db.url, { owner: "crashed-instance", leaseMs: LEASE_MS });
  onTestFinished(() => store.close());
  return { ...fixture, store };
}

function sum(passes: RecoveryPass[]): number {
  return passes.reduce((total, pass) => total + pass.resumed, 0);
}

export function runRecoveryCases(createDatabase: () => Promise<Db>): void {
  test("once the crashed instance's lease runs out, exactly one of two other instances resumes its run", async () => {
    const fixture = await shortLeaseFixture(createDatabase);
    const definition = checkoutWorkflow(fixture.provider, { transactional: false });
    const runId = await runUntilCrash(fixture, definition, eventIs("step-started", "ship"));
    const [b, c] = [
      await instance(fixture, "instance-b", [definition]),
      await instance(fixture, "instance-c", [definition]),
    ];
    let resumed = 0;

    const run = await retryUntil(
      async () => {
        resumed += sum(await Promise.all([b.recovery.recoverNow(), c.recovery.recoverNow()]));
        const snapshot = await fixture.store.getRun(runId);
        return snapshot?.status === "COMPLETED" && snapshot;
      },
      { what: "the run to be recovered" },
    );

    expect(resumed).toBe(1);
    expect(run.steps.map((s) => s.status)).toEqual(["COMPLETED", "COMPLETED", "COMPLETED"]);
    expect(await balance(fixture)).toBe(10);
    expect(fixture.provider.charges.size).toBe(1);
    const journaled = await fixture.store.getJournaledRun(runId);
    expect(journaled?.recoveryAttempts).toBe(1);
  });

  test("a run whose heartbeat is alive is not taken over, however long its step takes", async () => {
    const fixture = await shortLeaseFixture(createDatabase);
    const slow = step("slow", () => new Promise((resolve) => setTimeout(() => resolve("done"), LEASE_MS * 4)));
    const definition = defineWorkflow("slow", [slow]) as unknown as WorkflowDefinition<never, unknown>;
    const other = await instance(fixture, "instance-b", [definition]);
    const running = executeWorkflow(fixture.db.driver, definition, { store: fixture.store, logger: silentLogger });
    const passes: RecoveryPass[] = [];
    let settled = false;
    void running.finally(() => (settled = true));

    while (!settled) {
      passes.push(await other.recovery.recoverNow());
      await new Promise((resolve) => setTimeout(resolve, LEASE_MS / 6));
    }

    expect(await running).toMatchObject({ ok: true, result: "done" });
    expect(passes.length).toBeGreaterThan(3);
    expect(sum(passes)).toBe(0);
  });

  test("a run that crashes every instance resuming it is parked FAILED with RECOVERY_EXHAUSTED instead of looping", async () => {
    const fixture = await shortLeaseFixture(createDatabase);
    const shipped: string[] = [];
    const definition = checkoutWorkflow(fixture.provider, { transactional: false, shipped });
    const runId = await runUntilCrash(fixture, definition, eventIs("step-started", "ship"));
    // Every instance dies at the same point of this run.
    const crashing = (store: DurableRunJournal) => interruptingRunJournal(store, eventIs("step-started", "ship")).store;
    const instances = [
      await instance(fixture, "b", [definition], crashing),
      await instance(fixture, "c", [definition], crashing),
      await instance(fixture, "d", [definition], crashing),
    ];

    const run = await retryUntil(
      async () => {
        for (const { recovery } of instances) await recovery.recoverNow();
        const snapshot = await fixture.store.getRun(runId);
        return snapshot?.status === "FAILED" && snapshot;
      },
      { what: "the run to be parked" },
    );

    expect(run.error).toMatchObject({ code: "RECOVERY_EXHAUSTED" });
    expect(shipped).toEqual([]);
    expect((await fixture.store.getJournaledRun(runId))?.parkedAt).toBeInstanceOf(Date);
  });

  test("a run of a workflow this instance does not know is parked with WORKFLOW_UNKNOWN", async () => {
    const fixture = await shortLeaseFixture(createDatabase);
    const definition = checkoutWorkflow(new FakeProvider(), { transactional: false });
    const runId = await runUntilCrash(fixture, definition, eventIs("step-started", "ship"));
    const other = await instance(fixture, "instance-b", []);

    await retryUntil(async () => (await other.recovery.recoverNow()).parked === 1, { what: "the run to be parked" });

    expect(await fixture.store.getRun(runId)).toMatchObject({ status: "FAILED", error: { code: "WORKFLOW_UNKNOWN" } });
  });
}
