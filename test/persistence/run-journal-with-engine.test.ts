/**
 * The SQL journals under the real engine and a real app database: the events `executeWorkflow` emits must
 * produce the same snapshots as in the in-memory journal, including while a transactional run holds the app
 * database's write lock and after its rollback.
 */
import { describe, expect, onTestFinished, test } from "vitest";
import { NonRetryableError, runWorkflow, step, type StepContext } from "../../src/index.ts";
import { openRunJournal } from "../../src/persistence/open-run-journal.ts";
import { InMemoryRunJournal } from "../../src/engine/journal/in-memory-run-journal.ts";
import { silentLogger } from "../../src/engine/logger.ts";
import type { RunSnapshot } from "../../src/engine/journal/run-snapshot.ts";
import type { RunJournal } from "../../src/engine/journal/run-journal.ts";
import { createPostgresTestDatabase, createSqliteTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { newRunId } from "./run-journal-script.ts";

type Driver = TestDatabase["driver"];

/** create-user (db) → charge (external) → `last`; the charge is refunded by compensation. */
function checkout(last: ReturnType<typeof step>) {
  return [
    step(
      "create-user",
      async (ctx: StepContext) => {
        await ctx.driver.create("user", { email: `${ctx.runId}@x`, name: "Buyer" });
        return "user created"; // not the generated id: the two executions compared must return the same
      },
      async (ctx) => void (await ctx.driver.delete("user", { email: `${ctx.runId}@x` })),
      { effect: "database" },
    ),
    step(
      "charge",
      (ctx: StepContext) => {
        ctx.set("chargeId", "ch_1");
        return { id: "ch_1", at: new Date(Date.UTC(2026, 0, 1)) };
      },
      () => undefined,
    ),
    last,
  ];
}

const cases = [
  {
    name: "a transactional run that completes",
    useTransaction: true,
    last: step("finalize", () => ({ success: true })),
    expected: {
      status: "COMPLETED",
      steps: [
        ["COMPLETED", 1],
        ["COMPLETED", 1],
        ["COMPLETED", 1],
      ],
    },
  },
  {
    name: "a transactional run whose last step fails: rolled back, the charge compensated",
    useTransaction: true,
    last: step("ship", () => {
      throw new NonRetryableError("Cannot ship to XX");
    }),
    expected: {
      status: "COMPENSATED",
      steps: [
        ["COMPENSATED", 1],
        ["COMPENSATED", 1],
        ["FAILED", 1],
      ],
    },
  },
  {
    name: "a run whose step succeeds on its second attempt",
    useTransaction: false,
    last: flakyStep(),
    expected: {
      status: "COMPLETED",
      steps: [
        ["COMPLETED", 1],
        ["COMPLETED", 1],
        ["COMPLETED", 2],
      ],
    },
  },
];

function flakyStep() {
  const failed = new Set<string>();
  return step(
    "flaky",
    (ctx: StepContext) => {
      if (failed.has(ctx.runId)) return "ok";
      failed.add(ctx.runId);
      throw new Error("Transient network error");
    },
    undefined,
    { retry: { maxAttempts: 3, delay: 1 } },
  );
}

/** A snapshot without what legitimately differs between two executions: ids and clock readings. */
function shape(run: RunSnapshot | null) {
  expect(run).not.toBeNull();
  const { id: _id, createdAt, updatedAt, steps, ...rest } = run!;
  expect(updatedAt.getTime()).toBeGreaterThanOrEqual(createdAt.getTime());
  return { ...rest, steps: steps.map(({ startedAt: _s, endedAt: _e, ...step }) => step) };
}

async function journal(
  driver: Driver,
  store: RunJournal,
  testCase: (typeof cases)[number],
): Promise<RunSnapshot | null> {
  const runId = newRunId("engine");
  await runWorkflow(driver, "checkout", checkout(testCase.last), {
    runId,
    store,
    logger: silentLogger,
    useTransaction: testCase.useTransaction,
    input: { paymentMethodId: "pm_card_visa" },
  });
  return store.getRun(runId);
}

const databases = [
  { name: "SQLite (journal in its own file)", create: () => createSqliteTestDatabase() },
  { name: "PostgreSQL (journal in schema sagaql)", create: () => createPostgresTestDatabase() },
];

for (const database of databases) {
  describe(`run journals under the engine on ${database.name}`, () => {
    for (const testCase of cases) {
      test(`journals ${testCase.name} exactly as the in-memory journal does`, async () => {
        const db = await database.create();
        onTestFinished(() => db.close());
        const store = await openRunJournal(db.url);
        onTestFinished(() => store.close());
        const journaled = await journal(db.driver, store, testCase);
        const remembered = await journal(db.driver, new InMemoryRunJournal(), testCase);
        expect(shape(journaled)).toStrictEqual(shape(remembered));
        expect(journaled!.status).toBe(testCase.expected.status);
        expect(journaled!.steps.map((s) => [s.status, s.attempts])).toEqual(testCase.expected.steps);
      });
    }
  });
}
