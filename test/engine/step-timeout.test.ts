/**
 * `timeout` fails an attempt that runs too long, with a StepTimeoutError; under `retry` the attempt is then
 * tried again like any other failure.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runWorkflow, step, StepTimeoutError } from "../../src/index.ts";
import { createSqliteTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { Latch } from "../helpers/latch.ts";
import { RecordingLogger } from "./recording-logger.ts";

describe("step timeout", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createSqliteTestDatabase();
  });
  afterAll(() => db?.close());

  /** Never settles: the only way out is the timeout. */
  const hang = () => new Latch().wait();

  test("fails a step that outlives its timeout, naming the step and the limit", async () => {
    const undone: string[] = [];
    const outcome = await runWorkflow(
      db.driver,
      "timeout",
      [
        step(
          "reserve",
          () => "res",
          () => void undone.push("reserve"),
        ),
        step("call-carrier", hang, null, { timeout: 30 }),
      ],
      { logger: new RecordingLogger() },
    );

    expect(outcome).toMatchObject({
      ok: false,
      failedStep: "call-carrier",
      error: 'Step "call-carrier" timed out after 30 ms',
      cause: { name: "StepTimeoutError", code: "STEP_TIMEOUT" },
      compensatedSteps: ["reserve"],
    });
    expect(undone).toEqual(["reserve"]);
  });

  test("lets a step that finishes in time succeed", async () => {
    const outcome = await runWorkflow(
      db.driver,
      "in-time",
      [step("count", async (ctx) => ctx.driver.count("product"), null, { timeout: 10_000 })],
      { logger: new RecordingLogger() },
    );

    expect(outcome).toMatchObject({ ok: true, result: expect.any(Number) });
  });

  test("retries an attempt that timed out, and the step succeeds when a later attempt is quick", async () => {
    const attempts: number[] = [];
    const outcome = await runWorkflow(
      db.driver,
      "timeout-retry",
      [
        step(
          "call-carrier",
          async (ctx) => {
            attempts.push(ctx.attempt);
            if (ctx.attempt === 1) await hang();
            return "label_1";
          },
          null,
          { timeout: 30, retry: { maxAttempts: 2 } },
        ),
      ],
      { logger: new RecordingLogger() },
    );

    expect(attempts).toEqual([1, 2]);
    expect(outcome).toMatchObject({ ok: true, result: "label_1" });
  });

  test("fails with the timeout after every attempt timed out", async () => {
    const outcome = await runWorkflow(
      db.driver,
      "always-slow",
      [step("slow", hang, null, { timeout: 20, retry: { maxAttempts: 2 } })],
      {
        logger: new RecordingLogger(),
      },
    );

    expect(outcome).toMatchObject({ ok: false, attempts: 2, cause: { name: "StepTimeoutError" } });
  });

  test("is an error class callers can check", () => {
    const error = new StepTimeoutError("x", 5);

    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: "StepTimeoutError", code: "STEP_TIMEOUT", stepName: "x", timeoutMs: 5 });
  });

  test("also bounds a compensation by the step's timeout", async () => {
    const outcome = await runWorkflow(
      db.driver,
      "slow-undo",
      [
        step("charge", () => "ch", hang, { timeout: 20 }),
        step("ship", () => {
          throw new Error("Shipping refused");
        }),
      ],
      { logger: new RecordingLogger() },
    );

    expect(outcome).toMatchObject({
      status: "FAILED",
      failedCompensations: [
        { step: "charge", error: { name: "StepTimeoutError", message: 'Step "charge" timed out after 20 ms' } },
      ],
    });
  });
});
