// A separate process using a SQLite journal, for tests that need real concurrency across processes.
// Usage: node --import tsx run-journal-process.fixture.ts <open|claim|record-and-hang> <journal file> <owner> [runId]
// Prints "ready", waits for a line on stdin (so that all processes start together), acts, prints a JSON result.
// record-and-hang journals a run's first events, reports them, and then waits to be killed.
import { once } from "node:events";
import { SqliteRunJournal } from "../../src/persistence/sqlite/sqlite-run-journal.ts";

const [mode, filename, owner, runId] = process.argv.slice(2) as [string, string, string, string | undefined];
process.stdout.write("ready\n");
await once(process.stdin, "data");
const store = new SqliteRunJournal({ filename, owner });
try {
  if (mode === "claim") {
    process.stdout.write(`${JSON.stringify({ lease: await store.claimRun(runId!, owner, 3_600_000) })}\n`);
  } else if (mode === "record-and-hang") {
    const at = new Date();
    await store.record({
      type: "run-started",
      runId: runId!,
      workflow: "w",
      steps: ["charge", "ship"],
      input: { amount: 5 },
      data: {},
      resourceId: undefined,
      transactional: false,
      idempotencyKey: undefined,
      at,
    });
    await store.record({ type: "step-started", runId: runId!, step: "charge", index: 0, attempt: 1, at });
    await store.record({
      type: "step-completed",
      runId: runId!,
      step: "charge",
      index: 0,
      attempts: 1,
      result: { id: "ch_1" },
      data: { chargeId: "ch_1" },
      at,
    });
    process.stdout.write(`${JSON.stringify({ recorded: 3 })}\n`);
    await new Promise(() => undefined);
  } else {
    const ownRun = `${owner}-run`;
    await store.record({
      type: "run-started",
      runId: ownRun,
      workflow: "w",
      steps: ["s"],
      input: undefined,
      data: {},
      resourceId: undefined,
      transactional: false,
      idempotencyKey: undefined,
      at: new Date(),
    });
    process.stdout.write(`${JSON.stringify({ recorded: ownRun })}\n`);
  }
} finally {
  await store.close();
  process.stdin.destroy();
}
