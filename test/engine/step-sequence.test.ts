/**
 * A workflow runs its steps one after another, each starting only once the previous one finished, and
 * succeeds with the last step's return value.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { executeWorkflow, runWorkflow, step, workflow, type StepContext } from "../../src/index.ts";
import { silentLogger } from "../../src/engine/logger.ts";
import { createSqliteTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { Latch } from "../helpers/latch.ts";

describe("step sequence", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createSqliteTestDatabase();
  });
  afterAll(() => db?.close());

  test("runs steps in declaration order, each after the previous one finished", async () => {
    const events: string[] = [];
    const definition = workflow("ordered")
      .step("first", async (ctx) => {
        events.push("first:start");
        const row = await ctx.driver.create("product", { sku: "SEQ-1", name: "Lamp", price: 10 });
        events.push("first:end");
        return row.id as string;
      })
      .step("second", async (ctx) => {
        events.push("second:start");
        // Reading what the first step wrote proves it had completed, not merely started.
        const row = await ctx.driver.findOne("product", { sku: "SEQ-1" });
        events.push(`second:saw ${row?.name}`);
        return row;
      })
      .step("third", () => {
        events.push("third");
        return "done";
      })
      .build();

    const outcome = await executeWorkflow(db.driver, definition, { logger: silentLogger });

    expect(outcome.ok).toBe(true);
    expect(events).toEqual(["first:start", "first:end", "second:start", "second:saw Lamp", "third"]);
  });

  test("does not start a step while the previous one is still pending", async () => {
    const gate = new Latch();
    const started: string[] = [];
    const running = runWorkflow(db.driver, "gated", [
      step("slow", async () => {
        started.push("slow");
        await gate.wait();
        return 1;
      }),
      step("next", () => {
        started.push("next");
        return 2;
      }),
    ]);

    // Let every queued microtask run: "next" must still be waiting for "slow".
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(started).toEqual(["slow"]);

    gate.open();
    await running;
    expect(started).toEqual(["slow", "next"]);
  });

  test("succeeds with the last step's result", async () => {
    const outcome = await runWorkflow(db.driver, "result", [
      step("a", () => ({ from: "a" })),
      step("b", async () => ({ from: "b" })),
      step("c", async () => ({ success: true, chargeId: "ch_123", shipmentId: "ship_456" })),
    ]);

    expect(outcome).toMatchObject({
      ok: true,
      status: "COMPLETED",
      result: { success: true, chargeId: "ch_123", shipmentId: "ship_456" },
    });
  });

  test("accepts synchronous and asynchronous step functions alike", async () => {
    const outcome = await runWorkflow(db.driver, "mixed", [
      step("sync", () => 1),
      step("async", async () => 2),
      step("returns-promise", () => Promise.resolve(3)),
    ]);

    expect(outcome.ok && outcome.result).toBe(3);
  });

  test("succeeds with undefined when the last step returns nothing", async () => {
    const outcome = await runWorkflow(db.driver, "void-last", [step("a", () => 1), step("b", async () => {})]);

    expect(outcome.ok).toBe(true);
    expect(outcome.ok && outcome.result).toBeUndefined();
  });

  test("runs no step after the one that failed", async () => {
    const ran: string[] = [];
    const outcome = await runWorkflow(
      db.driver,
      "stops",
      [
        step("a", () => void ran.push("a")),
        step("b", () => {
          ran.push("b");
          throw new Error("b broke");
        }),
        step("c", () => void ran.push("c")),
      ],
      { logger: silentLogger },
    );

    expect(outcome.ok).toBe(false);
    expect(ran).toEqual(["a", "b"]);
  });

  test("runs the same definition many times, each run independent of the others", async () => {
    const definition = workflow<{ n: number }>("repeat")
      .step("double", (ctx: StepContext<{ n: number }>) => ctx.input.n * 2)
      .step("inc", (ctx) => ctx.input.n * 2 + 1)
      .build();

    const outcomes = await Promise.all([1, 2, 3].map((n) => executeWorkflow(db.driver, definition, { input: { n } })));

    expect(outcomes.map((outcome) => outcome.ok && outcome.result)).toEqual([3, 5, 7]);
    expect(new Set(outcomes.map((outcome) => outcome.runId)).size).toBe(3);
  });
});
