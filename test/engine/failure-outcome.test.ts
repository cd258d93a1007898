/**
 * What a failed run returns: the classic `{ error, code: "ACTION_ERROR", failedStep, compensatedSteps }`,
 * plus what a caller needs to act on it. A step's failure is a value, never a rejection.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { executeWorkflow, runWorkflow, step, workflow } from "../../src/index.ts";
import { silentLogger } from "../../src/engine/logger.ts";
import { createSqliteTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

class PaymentDeclined extends Error {
  readonly code = "CARD_DECLINED";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PaymentDeclined";
  }
}

describe("failure outcome", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createSqliteTestDatabase();
  });
  afterAll(() => db?.close());

  const checkout = workflow("checkout")
    .step(
      "reserve-inventory",
      () => ({ id: "res_1" }),
      () => {},
    )
    .step("charge-payment", () => {
      throw new Error("Payment failed");
    })
    .step("create-shipment", () => ({ id: "ship_1" }))
    .build();

  test("reports the classic saga failure fields", async () => {
    const outcome = await executeWorkflow(db.driver, checkout, { logger: silentLogger });

    expect(outcome).toMatchObject({
      error: "Payment failed",
      code: "ACTION_ERROR",
      failedStep: "charge-payment",
      compensatedSteps: ["reserve-inventory"],
    });
  });

  test("has exactly the documented shape, and nothing else", async () => {
    const outcome = await executeWorkflow(db.driver, checkout, {
      logger: silentLogger,
      runId: "run-shape",
      data: { note: "kept" },
    });

    expect(outcome).toStrictEqual({
      ok: false,
      status: "COMPENSATED",
      runId: "run-shape",
      error: "Payment failed",
      code: "ACTION_ERROR",
      failedStep: "charge-payment",
      compensatedSteps: ["reserve-inventory"],
      failedCompensations: [],
      uncompensatedSteps: [],
      rolledBack: false,
      attempts: 1,
      retryable: false,
      cause: { name: "Error", message: "Payment failed" },
      data: { note: "kept" },
    });
  });

  test("resolves with the failure instead of rejecting", async () => {
    await expect(executeWorkflow(db.driver, checkout, { logger: silentLogger })).resolves.toMatchObject({ ok: false });
  });

  test("gives a failed run a UUID-shaped runId when none is passed", async () => {
    const outcome = await executeWorkflow(db.driver, checkout, { logger: silentLogger });

    expect(outcome.runId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test("keeps an error's code and cause chain in `cause`, as plain data", async () => {
    const outcome = await runWorkflow(
      db.driver,
      "coded",
      [
        step("charge", () => {
          throw new PaymentDeclined("Payment failed: card declined", { cause: new Error("issuer said no") });
        }),
      ],
      { logger: silentLogger },
    );

    expect(outcome).toMatchObject({
      ok: false,
      error: "Payment failed: card declined",
      code: "ACTION_ERROR",
      cause: {
        name: "PaymentDeclined",
        message: "Payment failed: card declined",
        code: "CARD_DECLINED",
        cause: { name: "Error", message: "issuer said no" },
      },
    });
    expect(JSON.parse(JSON.stringify(outcome))).toEqual(outcome);
  });

  test("turns a thrown non-Error into a message", async () => {
    const outcome = await runWorkflow(
      db.driver,
      "throws-string",
      [
        step("a", () => {
          throw "plain string failure";
        }),
      ],
      { logger: silentLogger },
    );

    expect(outcome).toMatchObject({
      ok: false,
      error: "plain string failure",
      cause: { name: "string", message: "plain string failure" },
    });
  });

  test("reports a step that rejects like one that throws", async () => {
    const outcome = await runWorkflow(
      db.driver,
      "rejects",
      [
        step(
          "a",
          () => 1,
          () => {},
        ),
        step("b", () => Promise.reject(new Error("rejected"))),
      ],
      { logger: silentLogger },
    );

    expect(outcome).toMatchObject({ ok: false, error: "rejected", failedStep: "b", compensatedSteps: ["a"] });
  });

  test("reports an empty compensatedSteps when the first step fails", async () => {
    const outcome = await runWorkflow(
      db.driver,
      "first-fails",
      [
        step("first", () => {
          throw new Error("nope");
        }),
        step(
          "second",
          () => 2,
          () => {},
        ),
      ],
      { logger: silentLogger },
    );

    expect(outcome).toMatchObject({
      ok: false,
      status: "COMPENSATED",
      failedStep: "first",
      compensatedSteps: [],
      uncompensatedSteps: [],
    });
  });

  test("carries the shared data as it stood when the run ended", async () => {
    const outcome = await runWorkflow(
      db.driver,
      "data-at-failure",
      [
        step("a", (ctx) => ctx.set("reservationId", "res_9")),
        step("b", () => {
          throw new Error("late failure");
        }),
      ],
      { logger: silentLogger, initialData: { batchSize: 10 } },
    );

    expect(outcome.data).toEqual({ batchSize: 10, reservationId: "res_9" });
  });
});
