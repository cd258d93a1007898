/**
 * SQLite has one writer: a transactional workflow holds the write lock from its first database write to its
 * commit, external steps included. Runs that cannot get the lock in time wait it out instead of failing; a run that
 * cannot get it before its deadline and did nothing says so with a retryable outcome.
 */
import { describe, expect, onTestFinished, test } from "vitest";
import { defineWorkflow, step, type StepContext } from "../../src/index.ts";
import type { WorkflowOptions } from "../../src/engine/definition/define-workflow.ts";
import { executeWorkflow } from "../../src/engine/execution/execute-workflow.ts";
import { silentLogger } from "../../src/engine/logger.ts";
import { sleep } from "../../src/engine/execution/retry.ts";
import { createSqliteTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { FakeProvider } from "./fake-provider.ts";

async function setUp(stock: number) {
  const db = await createSqliteTestDatabase();
  onTestFinished(() => db.close());
  await db.driver.create("product", { sku: "KB-1", name: "Keyboard", price: 79, stock });
  return db;
}

/** reserve (database) → a slow charge (external, refunded) → finalize (database). */
function checkout(provider: FakeProvider, chargeMs: number, options: WorkflowOptions) {
  return defineWorkflow(
    "checkout",
    [
      step(
        "reserve",
        (ctx: StepContext) => ctx.driver.updateMany("product", { sku: "KB-1" }, { stock: { decrement: 1 } }),
        null,
        { effect: "database" },
      ),
      step(
        "charge",
        async (ctx: StepContext) => {
          await sleep(chargeMs);
          return provider.charge(ctx.idempotencyKey, 79);
        },
        (_ctx: StepContext, charge: { id: string }) => provider.refund(charge.id),
      ),
      step(
        "finalize",
        (ctx: StepContext) => ctx.driver.updateMany("product", { sku: "KB-1" }, { name: "Keyboard (sold)" }),
        null,
        { effect: "database" },
      ),
    ],
    { useTransaction: true, ...options },
  );
}

async function stockOf(db: TestDatabase) {
  return Number((await db.driver.findOne("product", { sku: "KB-1" }))?.stock);
}

describe("transactional runs contending for SQLite's single writer", () => {
  test("that cannot start their transaction in time wait it out: every run completes", async () => {
    const db = await setUp(10);
    const provider = new FakeProvider();
    // Six runs each hold the lock ~150 ms; a 100 ms start wait would fail most of them without waiting it out.
    const definition = checkout(provider, 150, {
      transaction: { maxWait: 100 },
      transientRetry: { delay: 20, maxDelay: 100 },
    });

    const outcomes = await Promise.all(
      Array.from({ length: 6 }, () => executeWorkflow(db.driver, definition, { logger: silentLogger })),
    );

    expect(outcomes.map((o) => o.status)).toEqual(Array(6).fill("COMPLETED"));
    expect(provider.charges.size).toBe(6);
    expect(provider.refundCalls).toBe(0);
    expect(await stockOf(db)).toBe(4);
  });

  test("past the deadline, a run that did nothing fails retryable with DATABASE_UNAVAILABLE and changes nothing", async () => {
    const db = await setUp(10);
    const provider = new FakeProvider();
    const holder = executeWorkflow(db.driver, checkout(provider, 1500, {}), { logger: silentLogger });
    await sleep(100);
    const definition = checkout(provider, 0, {
      transaction: { maxWait: 50 },
      transientRetry: { forMs: 300, delay: 20, maxDelay: 50 },
    });

    const outcome = await executeWorkflow(db.driver, definition, { logger: silentLogger });

    expect(outcome).toMatchObject({
      ok: false,
      status: "COMPENSATED",
      failedStep: null,
      compensatedSteps: [],
      retryable: true,
    });
    expect(outcome.ok === false && outcome.cause.code).toBe("DATABASE_UNAVAILABLE");
    expect(await holder).toMatchObject({ status: "COMPLETED" });
    expect(provider.charges.size).toBe(1);
    expect(await stockOf(db)).toBe(9);
  });
});
