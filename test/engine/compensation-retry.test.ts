/**
 * `compensationRetry` gives a compensation more than one attempt before it is given up on (and the run
 * ends FAILED). A flaky refund API should not leave a charge behind after one blip.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { InMemoryRunJournal, NonRetryableError, runWorkflow, step } from "../../src/index.ts";
import { createSqliteTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { RecordingLogger } from "./recording-logger.ts";

describe("compensation retry", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createSqliteTestDatabase();
  });
  afterAll(() => db?.close());

  /** A refund that fails its first `failures` attempts. */
  function flakyRefund(failures: number, error: () => Error = () => new Error("refund API timed out")) {
    const attempts: number[] = [];
    const keys: string[] = [];
    const charge = step(
      "charge",
      () => ({ id: "ch_1" }),
      (ctx, charge) => {
        attempts.push(ctx.attempt);
        keys.push(ctx.idempotencyKey);
        if (attempts.length <= failures) throw error();
        return charge.id;
      },
      { compensationRetry: { maxAttempts: 3 } },
    );
    return { attempts, keys, charge };
  }

  const failShipping = step("ship", () => {
    throw new Error("Shipping refused");
  });

  test("retries a failing compensation until it succeeds, and the run ends COMPENSATED", async () => {
    const refund = flakyRefund(2);
    const outcome = await runWorkflow(db.driver, "refund-retry", [refund.charge, failShipping], {
      logger: new RecordingLogger(),
    });

    expect(refund.attempts).toEqual([1, 2, 3]);
    expect(outcome).toMatchObject({ status: "COMPENSATED", compensatedSteps: ["charge"], failedCompensations: [] });
  });

  test("gives the same idempotency key to every attempt of a compensation", async () => {
    const refund = flakyRefund(2);
    const outcome = await runWorkflow(db.driver, "refund-key", [refund.charge, failShipping], {
      logger: new RecordingLogger(),
    });

    expect(refund.keys).toEqual([`${outcome.runId}:charge`, `${outcome.runId}:charge`, `${outcome.runId}:charge`]);
  });

  test("gives up after compensationRetry.maxAttempts and ends FAILED", async () => {
    const refund = flakyRefund(Infinity);
    const logger = new RecordingLogger();
    const outcome = await runWorkflow(db.driver, "refund-exhausted", [refund.charge, failShipping], { logger });

    expect(refund.attempts).toEqual([1, 2, 3]);
    expect(outcome).toMatchObject({
      status: "FAILED",
      failedCompensations: [{ step: "charge", error: { message: "refund API timed out" } }],
    });
    expect(logger.at("error")).toHaveLength(1);
  });

  test("does not retry a compensation that throws NonRetryableError", async () => {
    const refund = flakyRefund(Infinity, () => new NonRetryableError("charge already disputed"));
    const outcome = await runWorkflow(db.driver, "refund-final", [refund.charge, failShipping], {
      logger: new RecordingLogger(),
    });

    expect(refund.attempts).toEqual([1]);
    expect(outcome).toMatchObject({
      status: "FAILED",
      failedCompensations: [{ step: "charge", error: { code: "NON_RETRYABLE" } }],
    });
  });

  test("attempts a compensation once without compensationRetry, even when the step itself retries", async () => {
    let undoAttempts = 0;
    const outcome = await runWorkflow(
      db.driver,
      "undo-once",
      [
        step(
          "charge",
          () => "ch",
          () => {
            undoAttempts++;
            throw new Error("refund failed");
          },
          { retry: { maxAttempts: 5 } },
        ),
        failShipping,
      ],
      { logger: new RecordingLogger() },
    );

    expect(undoAttempts).toBe(1);
    expect(outcome.status).toBe("FAILED");
  });

  test("journals the compensation as COMPENSATED once a retry succeeds", async () => {
    const store = new InMemoryRunJournal();
    const refund = flakyRefund(1);
    const outcome = await runWorkflow(db.driver, "refund-journal", [refund.charge, failShipping], {
      logger: new RecordingLogger(),
      store,
    });

    const run = await store.getRun(outcome.runId);
    expect(run).toMatchObject({
      status: "COMPENSATED",
      steps: [
        { name: "charge", status: "COMPENSATED" },
        { name: "ship", status: "FAILED" },
      ],
    });
  });
});
