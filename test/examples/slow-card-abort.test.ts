/**
 * The example's simulated card processor honours an AbortSignal as `fetch` does: a slow charge whose step times
 * out is abandoned, not left to land later. The cut-off charge is in doubt: the run asks once more under its key,
 * within the step's timeout; still unanswered, it is logged for a person, and the provider holds no charge at all.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { afterEach, beforeAll, afterAll, beforeEach, describe, expect, test } from "vitest";
import { PaymentService } from "../../examples/checkout/services/payment-service.ts";
import { runWorkflow, step } from "../../src/index.ts";
import { createSqliteTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { RecordingLogger } from "../engine/recording-logger.ts";

const SLOW_MS = 400;

describe("a slow card with a timeout", () => {
  let db: TestDatabase;
  let dir: string;
  let payment: PaymentService;
  beforeAll(async () => {
    db = await createSqliteTestDatabase();
  });
  afterAll(() => db?.close());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "sagaql-slow-card-"));
    payment = new PaymentService(join(dir, "payment-provider.db"), { slowMs: SLOW_MS });
  });
  afterEach(() => {
    payment.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("is aborted on every attempt, the run compensates, and no charge is ever made", async () => {
    const released: string[] = [];
    const logger = new RecordingLogger();
    const outcome = await runWorkflow(
      db.driver,
      "slow-card",
      [
        step(
          "reserve-inventory",
          () => "res_1",
          (_ctx, reservation) => void released.push(reservation),
        ),
        step(
          "charge-payment",
          (ctx) =>
            payment.charge({
              amount: 30,
              paymentMethod: "pm_card_slow",
              idempotencyKey: ctx.idempotencyKey,
              signal: ctx.signal,
            }),
          (ctx, charge) => payment.refund(charge.id, { signal: ctx.signal }),
          { timeout: 50, retry: { maxAttempts: 2 } },
        ),
      ],
      { logger },
    );

    expect(outcome).toMatchObject({
      ok: false,
      status: "COMPENSATED",
      failedStep: "charge-payment",
      attempts: 2,
      cause: { name: "StepTimeoutError" },
    });
    expect(released).toEqual(["res_1"]);
    expect(logger.at("error")).toMatchObject([
      { details: { step: "charge-payment", err: { name: "StepTimeoutError" } } },
    ]);
    // Past the time the slow card would have answered: an abandoned charge would have landed by now.
    await delay(SLOW_MS + 200);
    expect(payment.charges()).toEqual([]);
    expect(payment.refunds()).toEqual([]);
  });

  test("rejects with an AbortError carrying the signal's reason, like fetch; unaborted, it charges", async () => {
    const controller = new AbortController();
    const reason = new Error("gave up");
    const charging = payment.charge({
      amount: 30,
      paymentMethod: "pm_card_slow",
      idempotencyKey: "k1",
      signal: controller.signal,
    });
    controller.abort(reason);

    await expect(charging).rejects.toMatchObject({ name: "AbortError", cause: reason });
    await expect(
      payment.charge({
        amount: 30,
        paymentMethod: "pm_card_slow",
        idempotencyKey: "k2",
        signal: new AbortController().signal,
      }),
    ).resolves.toMatchObject({
      idempotencyKey: "k2",
    });
    expect(payment.charges().map((charge) => charge.idempotencyKey)).toEqual(["k2"]);
  });
});
