/**
 * When a step fails, the steps that completed before it are undone, last first, each compensation getting
 * the value its own step returned. Steps without a compensation are left as they are, and reported.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { runWorkflow, step, type Step, type StepContext } from "../../src/index.ts";
import { silentLogger } from "../../src/engine/logger.ts";
import { createSqliteTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

describe("compensation", () => {
  let db: TestDatabase;
  let calls: Array<{ step: string; result: unknown; stepName: string }>;

  beforeAll(async () => {
    db = await createSqliteTestDatabase();
  });
  afterAll(() => db?.close());
  beforeEach(() => {
    calls = [];
  });

  /** A step whose compensation records what it was called with. */
  function undoable(name: string, result: unknown): Step<StepContext, unknown> {
    return step(
      name,
      () => result,
      (ctx, received) => {
        calls.push({ step: name, result: received, stepName: ctx.stepName });
      },
    );
  }

  function failing(name: string, message = `${name} failed`): Step<StepContext, never> {
    return step(
      name,
      () => {
        throw new Error(message);
      },
      () => {
        calls.push({ step: name, result: "the failed step's own compensation ran", stepName: name });
      },
    );
  }

  test("compensates completed steps in reverse order", async () => {
    const outcome = await runWorkflow(
      db.driver,
      "reverse",
      [undoable("a", 1), undoable("b", 2), undoable("c", 3), failing("d")],
      { logger: silentLogger },
    );

    expect(calls.map((call) => call.step)).toEqual(["c", "b", "a"]);
    expect(outcome).toMatchObject({
      ok: false,
      status: "COMPENSATED",
      failedStep: "d",
      compensatedSteps: ["c", "b", "a"],
    });
  });

  test("gives each compensation the result of its own step", async () => {
    const reservation = { id: "res_1", items: 2 };
    const charge = { id: "ch_1", amount: 30 };
    await runWorkflow(
      db.driver,
      "own-results",
      [undoable("reserve", reservation), undoable("charge", charge), failing("ship")],
      {
        logger: silentLogger,
      },
    );

    expect(calls).toEqual([
      { step: "charge", result: charge, stepName: "charge" },
      { step: "reserve", result: reservation, stepName: "reserve" },
    ]);
    expect(calls[0]!.result).toBe(charge);
  });

  test.each([
    { failAt: 0, compensated: [] },
    { failAt: 1, compensated: ["s0"] },
    { failAt: 2, compensated: ["s1", "s0"] },
    { failAt: 3, compensated: ["s2", "s1", "s0"] },
  ])("a failure at step $failAt compensates exactly the steps before it", async ({ failAt, compensated }) => {
    const steps = [0, 1, 2, 3].map((index) => (index === failAt ? failing(`s${index}`) : undoable(`s${index}`, index)));

    const outcome = await runWorkflow(db.driver, `partial-${failAt}`, steps, { logger: silentLogger });

    expect(calls.map((call) => call.step)).toEqual(compensated);
    expect(outcome).toMatchObject({
      ok: false,
      failedStep: `s${failAt}`,
      compensatedSteps: compensated,
      uncompensatedSteps: [],
    });
  });

  test("never compensates the step that failed", async () => {
    await runWorkflow(db.driver, "not-self", [undoable("a", 1), failing("b")], { logger: silentLogger });

    expect(calls.map((call) => call.step)).toEqual(["a"]);
  });

  test("skips steps without a compensation and reports them as uncompensated", async () => {
    const outcome = await runWorkflow(
      db.driver,
      "skips",
      [
        undoable("reserve", 1),
        step("notify", () => "sent"),
        undoable("charge", 2),
        step("ship", () => "shipped"),
        failing("finalize"),
      ],
      { logger: silentLogger },
    );

    expect(calls.map((call) => call.step)).toEqual(["charge", "reserve"]);
    expect(outcome).toMatchObject({
      ok: false,
      status: "COMPENSATED",
      compensatedSteps: ["charge", "reserve"],
      uncompensatedSteps: ["ship", "notify"],
    });
  });

  test("treats a null compensation like a missing one", async () => {
    const outcome = await runWorkflow(db.driver, "null-undo", [step("a", () => 1, null), failing("b")], {
      logger: silentLogger,
    });

    expect(outcome).toMatchObject({ compensatedSteps: [], uncompensatedSteps: ["a"] });
  });

  test("undoes database writes through compensations, restoring the rows as they were", async () => {
    await db.driver.create("product", { sku: "COMP-1", name: "Chair", price: 40, stock: 5 });

    const outcome = await runWorkflow(
      db.driver,
      "db-undo",
      [
        step(
          "reserve",
          async (ctx) => {
            await ctx.driver.updateMany("product", { sku: "COMP-1" }, { stock: { decrement: 2 } });
            return 2;
          },
          async (ctx, quantity) => {
            await ctx.driver.updateMany("product", { sku: "COMP-1" }, { stock: { increment: quantity } });
          },
        ),
        step(
          "open-account",
          async (ctx) => (await ctx.driver.create("account", { owner: "comp-test" })).id as string,
          async (ctx, id) => {
            await ctx.driver.delete("account", { id });
          },
        ),
        failing("charge", "Payment failed"),
      ],
      { logger: silentLogger },
    );

    expect(outcome).toMatchObject({
      ok: false,
      error: "Payment failed",
      compensatedSteps: ["open-account", "reserve"],
    });
    expect(await db.driver.findOne("product", { sku: "COMP-1" })).toMatchObject({ stock: 5 });
    expect(await db.driver.count("account", { owner: "comp-test" })).toBe(0);
  });

  test("waits for each compensation to finish before starting the one before it", async () => {
    const events: string[] = [];
    const slowUndo = (name: string) =>
      step(
        name,
        () => name,
        async (ctx) => {
          events.push(`${name}:start`);
          // A real round trip to the database between start and end.
          await ctx.driver.count("product");
          events.push(`${name}:end`);
        },
      );

    await runWorkflow(db.driver, "sequential-undo", [slowUndo("a"), slowUndo("b"), failing("c")], {
      logger: silentLogger,
    });

    expect(events).toEqual(["b:start", "b:end", "a:start", "a:end"]);
  });
});
