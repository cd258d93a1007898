/**
 * A step with `retry` is attempted again after a failure, up to `maxAttempts` in all, unless the error says
 * retrying is pointless (`NonRetryableError`, or `shouldRetry` returning false).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { NonRetryableError, runWorkflow, step } from "../../src/index.ts";
import { createSqliteTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { RecordingLogger } from "./recording-logger.ts";

/** Fails its first `failures` attempts, then returns the attempt number it succeeded on. */
function flaky(
  failures: number,
  error: (attempt: number) => unknown = (attempt) => new Error(`transient failure #${attempt}`),
) {
  const attempts: number[] = [];
  return {
    attempts,
    execute: (ctx: { attempt: number }) => {
      attempts.push(ctx.attempt);
      if (attempts.length <= failures) throw error(ctx.attempt);
      return { succeededOn: ctx.attempt };
    },
  };
}

describe("step retry", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createSqliteTestDatabase();
  });
  afterAll(() => db?.close());

  test("retries a failing step until it succeeds", async () => {
    const charge = flaky(2);
    const outcome = await runWorkflow(
      db.driver,
      "flaky",
      [step("charge-payment", charge.execute, null, { retry: { maxAttempts: 3 } })],
      {
        logger: new RecordingLogger(),
      },
    );

    expect(outcome).toMatchObject({ ok: true, result: { succeededOn: 3 } });
    expect(charge.attempts).toEqual([1, 2, 3]);
  });

  test("gives up after maxAttempts attempts and fails with the last error", async () => {
    const charge = flaky(Infinity);
    const outcome = await runWorkflow(
      db.driver,
      "exhausted",
      [step("charge-payment", charge.execute, null, { retry: { maxAttempts: 4 } })],
      {
        logger: new RecordingLogger(),
      },
    );

    expect(charge.attempts).toEqual([1, 2, 3, 4]);
    expect(outcome).toMatchObject({
      ok: false,
      failedStep: "charge-payment",
      attempts: 4,
      error: "transient failure #4",
    });
  });

  test("attempts a step once when it has no retry option", async () => {
    const charge = flaky(1);
    const outcome = await runWorkflow(db.driver, "no-retry", [step("charge", charge.execute)], {
      logger: new RecordingLogger(),
    });

    expect(charge.attempts).toEqual([1]);
    expect(outcome).toMatchObject({ ok: false, attempts: 1 });
  });

  test("does not retry a NonRetryableError", async () => {
    const charge = flaky(Infinity, () => new NonRetryableError("Payment failed: card declined"));
    const outcome = await runWorkflow(
      db.driver,
      "declined",
      [step("charge", charge.execute, null, { retry: { maxAttempts: 5 } })],
      {
        logger: new RecordingLogger(),
      },
    );

    expect(charge.attempts).toEqual([1]);
    expect(outcome).toMatchObject({
      ok: false,
      attempts: 1,
      error: "Payment failed: card declined",
      cause: { name: "NonRetryableError", code: "NON_RETRYABLE" },
    });
  });

  test("stops retrying when shouldRetry says no, and passes it the error and attempt", async () => {
    const seen: Array<[string, number]> = [];
    const charge = flaky(Infinity, (attempt) => new Error(attempt < 2 ? "timeout" : "invalid card"));
    const outcome = await runWorkflow(
      db.driver,
      "selective",
      [
        step("charge", charge.execute, null, {
          retry: {
            maxAttempts: 5,
            shouldRetry: (error, attempt) => {
              seen.push([(error as Error).message, attempt]);
              return (error as Error).message === "timeout";
            },
          },
        }),
      ],
      { logger: new RecordingLogger() },
    );

    expect(charge.attempts).toEqual([1, 2]);
    expect(seen).toEqual([
      ["timeout", 1],
      ["invalid card", 2],
    ]);
    expect(outcome).toMatchObject({ ok: false, attempts: 2, error: "invalid card" });
  });

  test("never consults shouldRetry once maxAttempts is spent", async () => {
    let consulted = 0;
    const charge = flaky(Infinity);
    await runWorkflow(
      db.driver,
      "spent",
      [step("charge", charge.execute, null, { retry: { maxAttempts: 2, shouldRetry: () => (consulted++, true) } })],
      { logger: new RecordingLogger() },
    );

    expect(charge.attempts).toEqual([1, 2]);
    expect(consulted).toBe(1);
  });

  test("compensates the earlier steps once a retried step has run out of attempts", async () => {
    const undone: string[] = [];
    const outcome = await runWorkflow(
      db.driver,
      "retry-then-compensate",
      [
        step(
          "reserve",
          () => "res",
          () => void undone.push("reserve"),
        ),
        step("charge", flaky(Infinity).execute, () => void undone.push("charge"), { retry: { maxAttempts: 3 } }),
      ],
      { logger: new RecordingLogger() },
    );

    expect(undone).toEqual(["reserve"]);
    expect(outcome).toMatchObject({ ok: false, failedStep: "charge", attempts: 3, compensatedSteps: ["reserve"] });
  });

  test("logs each failed attempt that will be retried as a warning", async () => {
    const logger = new RecordingLogger();
    await runWorkflow(db.driver, "warned", [step("charge", flaky(2).execute, null, { retry: { maxAttempts: 3 } })], {
      logger,
      runId: "run-warn",
    });

    expect(logger.at("warn").map((entry) => entry.details)).toEqual([
      {
        runId: "run-warn",
        step: "charge",
        attempt: 1,
        delayMs: 0,
        err: { name: "Error", message: "transient failure #1" },
      },
      {
        runId: "run-warn",
        step: "charge",
        attempt: 2,
        delayMs: 0,
        err: { name: "Error", message: "transient failure #2" },
      },
    ]);
  });

  test("retries a step whose database write failed, and succeeds once the write does", async () => {
    await db.driver.create("product", { sku: "RETRY-TAKEN", name: "Taken", price: 1 });
    const skus: string[] = [];
    const outcome = await runWorkflow(
      db.driver,
      "db-retry",
      [
        step(
          "create",
          async (ctx) => {
            // The first attempt collides with the existing unique sku, a real constraint violation.
            const sku = ctx.attempt === 1 ? "RETRY-TAKEN" : "RETRY-FREE";
            skus.push(sku);
            return (await ctx.driver.create("product", { sku, name: "Retry", price: 1 })).sku;
          },
          null,
          { retry: { maxAttempts: 2 } },
        ),
      ],
      { logger: new RecordingLogger() },
    );

    expect(skus).toEqual(["RETRY-TAKEN", "RETRY-FREE"]);
    expect(outcome).toMatchObject({ ok: true, result: "RETRY-FREE" });
  });
});
