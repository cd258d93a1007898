/**
 * What a step sees in `ctx`: the run's input, the resource and its id, the driver, and identifiers that
 * stay stable across retries (`runId`, `idempotencyKey` = `runId:stepName`) next to the attempt number.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { executeWorkflow, InMemoryRunJournal, runWorkflow, step, workflow, type StepContext } from "../../src/index.ts";
import { silentLogger } from "../../src/engine/logger.ts";
import { createSqliteTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

/** What a step saw of its context, copied out (the context object itself moves on to the next step). */
function snapshot(ctx: StepContext) {
  return {
    input: ctx.input,
    resource: ctx.resource,
    resourceId: ctx.resourceId,
    runId: ctx.runId,
    workflow: ctx.workflow,
    stepName: ctx.stepName,
    attempt: ctx.attempt,
    idempotencyKey: ctx.idempotencyKey,
    rolledBack: ctx.rolledBack,
  };
}

describe("step context", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createSqliteTestDatabase();
  });
  afterAll(() => db?.close());

  test("passes the run's input, resource and resourceId to every step", async () => {
    const product = await db.driver.create("product", { sku: "CTX-1", name: "Desk", price: 120, stock: 3 });
    const seen: unknown[] = [];
    const definition = workflow("context")
      .step("a", (ctx) => void seen.push(snapshot(ctx)))
      .step("b", (ctx) => void seen.push(snapshot(ctx)))
      .build();

    await executeWorkflow(db.driver, definition, {
      input: { quantity: 2 },
      resource: product,
      resourceId: product.id as string,
    });

    for (const step of seen) {
      expect(step).toMatchObject({ input: { quantity: 2 }, resource: product, resourceId: product.id });
    }
  });

  test("leaves input, resource and resourceId undefined for a standalone run", async () => {
    const outcome = await runWorkflow(db.driver, "bare", [step("a", (ctx) => snapshot(ctx))]);

    expect(outcome).toMatchObject({
      ok: true,
      result: { input: undefined, resource: undefined, resourceId: undefined },
    });
  });

  test("names the workflow, the run and the step", async () => {
    const outcome = await runWorkflow(
      db.driver,
      "naming",
      [step("first", (ctx) => snapshot(ctx)), step("second", (ctx) => snapshot(ctx))],
      {
        runId: "run-42",
      },
    );

    expect(outcome).toMatchObject({
      ok: true,
      runId: "run-42",
      result: {
        workflow: "naming",
        runId: "run-42",
        stepName: "second",
        idempotencyKey: "run-42:second",
        attempt: 1,
        rolledBack: false,
      },
    });
  });

  test("keys idempotency as runId:stepName, the same on every attempt of a step", async () => {
    const keys: Array<[number, string]> = [];
    const outcome = await runWorkflow(
      db.driver,
      "keys",
      [
        step(
          "charge-payment",
          (ctx) => {
            keys.push([ctx.attempt, ctx.idempotencyKey]);
            if (ctx.attempt < 3) throw new Error("transient");
            return "ch_1";
          },
          null,
          { retry: { maxAttempts: 3 } },
        ),
      ],
      { logger: silentLogger },
    );

    const key = `${outcome.runId}:charge-payment`;
    expect(keys).toEqual([
      [1, key],
      [2, key],
      [3, key],
    ]);
  });

  test("gives the run's generated id to steps, and the same id in the outcome", async () => {
    let seenRunId = "";
    const outcome = await runWorkflow(db.driver, "generated-id", [step("a", (ctx) => void (seenRunId = ctx.runId))]);

    expect(seenRunId).toMatch(/^[0-9a-f-]{36}$/);
    expect(outcome.runId).toBe(seenRunId);
  });

  test("gives every run its own UUID-shaped id, as a plain property of the outcome", async () => {
    const outcomes = await Promise.all([1, 2, 3].map(() => runWorkflow(db.driver, "ids", [step("a", () => "x")])));

    for (const outcome of outcomes) {
      expect(outcome.runId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect({ ...outcome }).toEqual({ ok: true, status: "COMPLETED", runId: outcome.runId, result: "x", data: {} });
    }
    expect(new Set(outcomes.map((outcome) => outcome.runId)).size).toBe(3);
  });

  test("gives a journaled run a random UUID, so its journal cannot be found by guessing", async () => {
    const store = new InMemoryRunJournal();
    const a = await runWorkflow(db.driver, "journaled-ids", [step("a", () => 1)], { store });
    const b = await runWorkflow(db.driver, "journaled-ids", [step("a", () => 1)], { store });

    // Consecutive unjournaled ids share a per-process prefix; random ones share no such prefix.
    expect(a.runId.slice(0, 27)).not.toBe(b.runId.slice(0, 27));
    expect(await store.getRun(a.runId)).toMatchObject({ status: "COMPLETED" });
  });

  test("gives compensations the key and name of the step they undo", async () => {
    const seen: unknown[] = [];
    const outcome = await runWorkflow(
      db.driver,
      "undo-context",
      [
        step(
          "reserve",
          () => 1,
          (ctx) => void seen.push(snapshot(ctx)),
        ),
        step(
          "charge",
          () => 2,
          (ctx) => void seen.push(snapshot(ctx)),
        ),
        step("ship", () => {
          throw new Error("Shipping refused");
        }),
      ],
      { logger: silentLogger, input: { orderId: "o1" } },
    );

    expect(seen).toEqual([
      expect.objectContaining({
        stepName: "charge",
        idempotencyKey: `${outcome.runId}:charge`,
        attempt: 1,
        input: { orderId: "o1" },
      }),
      expect.objectContaining({ stepName: "reserve", idempotencyKey: `${outcome.runId}:reserve`, attempt: 1 }),
    ]);
  });

  test("gives steps the driver, so their writes reach the database", async () => {
    const outcome = await runWorkflow(db.driver, "driver", [
      step("create", async (ctx) => (await ctx.driver.create("account", { owner: "ctx-driver" })).id),
    ]);

    expect(outcome.ok).toBe(true);
    expect(await db.driver.findOne("account", { owner: "ctx-driver" })).toMatchObject({
      id: outcome.ok && outcome.result,
      balance: 0,
    });
  });

  test("counts attempts from 1 and resets the count for each step", async () => {
    const attempts: Array<[string, number]> = [];
    let failures = 1;
    await runWorkflow(
      db.driver,
      "attempts",
      [
        step(
          "flaky",
          (ctx) => {
            attempts.push(["flaky", ctx.attempt]);
            if (failures-- > 0) throw new Error("once");
          },
          null,
          { retry: { maxAttempts: 2 } },
        ),
        step("steady", (ctx) => void attempts.push(["steady", ctx.attempt])),
      ],
      { logger: silentLogger },
    );

    expect(attempts).toEqual([
      ["flaky", 1],
      ["flaky", 2],
      ["steady", 1],
    ]);
  });
});
