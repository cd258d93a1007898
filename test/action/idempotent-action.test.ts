import { ADMIN_REQUEST } from "../helpers/checkout-tokens.ts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  IdempotencyConflictError,
  RunInProgressError,
  StepFailedError,
  ValidationError,
  type ActionError,
} from "../../src/action/action-errors.ts";
import { order } from "../../examples/checkout/entities.ts";
import { runAction, type ActionSuccess, type RunActionRequest } from "../../src/action/run-action.ts";
import type { Provider } from "../helpers/fresh-database.ts";
import { retryUntil } from "../helpers/retry-until.ts";
import { createIdempotencyFixture, type IdempotencyFixture } from "./idempotency-fixture.ts";

const WORKFLOW = "order.checkout";
let keys = 0;
const newKey = () => `key-${Date.now()}-${++keys}`;

/** The failure `runAction` threw, for comparing a replay with the original field by field. */
async function failureOf(call: Promise<unknown>): Promise<ActionError> {
  const caught = await call.then(
    (value) => expect.fail(`expected a failure, got ${JSON.stringify(value)}`),
    (error: unknown) => error,
  );
  return caught as ActionError;
}

function failureFields(error: ActionError) {
  const { name, code, message, failedStep, compensatedSteps, runId } = error;
  const run = error as Partial<StepFailedError>;
  return {
    name,
    code,
    message,
    failedStep,
    compensatedSteps,
    runId,
    uncompensatedSteps: run.uncompensatedSteps,
    attempts: run.attempts,
    causeCode: run.causeCode,
  };
}

describe.each<Provider>(["sqlite", "postgresql"])("idempotency keys on actions (%s)", (provider) => {
  let app: IdempotencyFixture;

  beforeAll(async () => {
    app = await createIdempotencyFixture(provider, { slowCardMs: 300 });
  });
  afterAll(async () => {
    await app?.close();
  });

  const runsOfKey = async (key: string) =>
    (await app.store.listRuns({ workflow: WORKFLOW, take: 200 })).filter((run) => run.idempotencyKey === key);
  const chargesOfRun = (runId: string) =>
    app.payment.charges().filter((charge) => charge.idempotencyKey.startsWith(runId));

  test("runs a sequential duplicate once: one run, one charge, stock taken once, the same runId and result", async () => {
    const { orderId, sku } = await app.newOrder({ stock: 5, quantity: 2 });
    const request: RunActionRequest = {
      id: orderId,
      input: { paymentMethodId: "pm_card_visa" },
      idempotencyKey: newKey(),
    };

    const first = await app.checkout(request);
    const second = await app.checkout(request);

    expect(first.replayed).toBe(false);
    expect(second).toEqual({ ...first, replayed: true });
    expect(second.resource).toMatchObject({
      status: "completed",
      chargeId: (first.result as { chargeId: string }).chargeId,
    });
    expect(await runsOfKey(request.idempotencyKey!)).toHaveLength(1);
    expect(chargesOfRun(first.runId)).toHaveLength(1);
    expect(await app.stockOf(sku)).toBe(3);
  });

  test("replays a declined run as the same typed failure, without charging or running again", async () => {
    const { orderId, sku } = await app.newOrder({ stock: 5, quantity: 1 });
    const request: RunActionRequest = {
      id: orderId,
      input: { paymentMethodId: "pm_card_chargeDeclined" },
      idempotencyKey: newKey(),
    };

    const first = await failureOf(app.checkout(request));
    const second = await failureOf(app.checkout(request));

    expect(first).toBeInstanceOf(StepFailedError);
    expect(second).toBeInstanceOf(StepFailedError);
    expect(failureFields(second)).toEqual(failureFields(first));
    expect(failureFields(first)).toMatchObject({
      failedStep: "charge-payment",
      compensatedSteps: ["reserve-inventory"],
      causeCode: "PAYMENT_DECLINED",
    });
    expect(await runsOfKey(request.idempotencyKey!)).toHaveLength(1);
    expect(chargesOfRun(first.runId!)).toEqual([]);
    expect(await app.stockOf(sku)).toBe(5);
  });

  test("replays a compensated run with its compensations in the order they ran, refunding the charge once", async () => {
    const { orderId, sku } = await app.newOrder({ stock: 5, quantity: 1, shippingCountry: "XX" });
    const request: RunActionRequest = {
      id: orderId,
      input: { paymentMethodId: "pm_card_visa" },
      idempotencyKey: newKey(),
    };

    const first = await failureOf(app.checkout(request));
    const second = await failureOf(app.checkout(request));

    expect(failureFields(first)).toMatchObject({
      failedStep: "create-shipment",
      compensatedSteps: ["charge-payment", "reserve-inventory"],
    });
    expect(failureFields(second)).toEqual(failureFields(first));
    const charges = chargesOfRun(first.runId!);
    expect(charges).toHaveLength(1);
    expect(app.payment.refunds().filter((refund) => refund.chargeId === charges[0]!.id)).toHaveLength(1);
    expect(await app.stockOf(sku)).toBe(5);
  });

  test("runs 5 concurrent duplicates once: one charge in the provider's records, every caller the same runId", async () => {
    const { orderId, sku } = await app.newOrder({ stock: 10, quantity: 1 });
    const request: RunActionRequest = {
      id: orderId,
      input: { paymentMethodId: "pm_card_slow" },
      idempotencyKey: newKey(),
    };

    const outcomes = await Promise.all(Array.from({ length: 5 }, () => app.checkout(request)));

    const runIds = new Set(outcomes.map((outcome) => outcome.runId));
    expect(runIds.size).toBe(1);
    expect(outcomes.filter((outcome) => !outcome.replayed)).toHaveLength(1);
    for (const outcome of outcomes) expect(outcome.result).toEqual(outcomes[0]!.result);
    const [runId] = runIds;
    expect(chargesOfRun(runId!)).toHaveLength(1);
    expect(app.payment.charges().filter((charge) => charge.paymentMethod === "pm_card_slow")).toHaveLength(1);
    expect(await runsOfKey(request.idempotencyKey!)).toHaveLength(1);
    expect(await app.stockOf(sku)).toBe(9);
  });

  test("refuses the same key with another input or another order as IdempotencyConflictError, and runs nothing", async () => {
    const { orderId } = await app.newOrder();
    const other = await app.newOrder();
    const key = newKey();
    const first = await app.checkout({ id: orderId, input: { paymentMethodId: "pm_card_visa" }, idempotencyKey: key });
    const chargesBefore = app.payment.charges().length;

    const otherInput = await failureOf(
      app.checkout({ id: orderId, input: { paymentMethodId: "pm_card_flaky" }, idempotencyKey: key }),
    );
    const otherOrder = await failureOf(
      app.checkout({ id: other.orderId, input: { paymentMethodId: "pm_card_visa" }, idempotencyKey: key }),
    );

    expect(otherInput).toBeInstanceOf(IdempotencyConflictError);
    expect(otherInput).toMatchObject({
      code: "IDEMPOTENCY_CONFLICT",
      runId: first.runId,
      mismatch: "input",
      idempotencyKey: key,
    });
    expect(otherOrder).toMatchObject({ code: "IDEMPOTENCY_CONFLICT", runId: first.runId, mismatch: "resource" });
    expect(await runsOfKey(key)).toHaveLength(1);
    expect(app.payment.charges()).toHaveLength(chargesBefore);
  });

  test("answers RunInProgressError when the run is still going after the wait bound, and its outcome once it ended", async () => {
    const { orderId } = await app.newOrder();
    const request: RunActionRequest = {
      id: orderId,
      input: { paymentMethodId: "pm_card_slow" },
      idempotencyKey: newKey(),
    };
    const impatient = { ...app.runtime, idempotencyWaitMs: 20 };
    const firstCall = app.checkout(request);
    // Once the slow charge is under way, the run has its whole slow-card delay left: longer than the wait bound.
    const started = await retryUntil(
      async () => {
        const found = await app.store.findRunByIdempotencyKey(WORKFLOW, request.idempotencyKey!);
        return found?.run.steps[1]?.status === "RUNNING" ? found : undefined;
      },
      { what: "the first run to be charging" },
    );

    const waiting = await failureOf(runAction(impatient, order, "checkout", { request: ADMIN_REQUEST, ...request }));
    const first = await firstCall;
    const later = await app.checkout(request);

    expect(waiting).toBeInstanceOf(RunInProgressError);
    expect(waiting).toMatchObject({
      code: "RUN_IN_PROGRESS",
      runId: started.run.id,
      idempotencyKey: request.idempotencyKey,
    });
    expect(first.runId).toBe(started.run.id);
    expect(later).toEqual({ ...first, replayed: true });
    expect(chargesOfRun(first.runId)).toHaveLength(1);
  });

  test("refuses an empty key or one longer than 255 characters as ValidationError before anything runs", async () => {
    const { orderId } = await app.newOrder();
    const chargesBefore = app.payment.charges().length;
    for (const idempotencyKey of ["", "k".repeat(256)]) {
      const refused = await failureOf(
        app.checkout({ id: orderId, input: { paymentMethodId: "pm_card_visa" }, idempotencyKey }),
      );
      expect(refused).toBeInstanceOf(ValidationError);
      expect((refused as ValidationError).problems).toEqual([
        { field: "idempotencyKey", message: "must be 1 to 255 characters long" },
      ]);
    }
    expect(app.payment.charges()).toHaveLength(chargesBefore);
    const accepted: ActionSuccess = await app.checkout({
      id: orderId,
      input: { paymentMethodId: "pm_card_visa" },
      idempotencyKey: "k".repeat(255),
    });
    expect(accepted.replayed).toBe(false);
  });
});
