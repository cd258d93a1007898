import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  PaymentService,
  type Charge,
  type ChargeRequest,
  type Refund,
} from "../../examples/checkout/services/payment-service.ts";
import { stopExecutingRuns } from "../../src/engine/control/run-signals.ts";
import type { Provider } from "../helpers/fresh-database.ts";
import { retryUntil } from "../helpers/retry-until.ts";
import { createIdempotencyFixture, type IdempotencyFixture } from "../action/idempotency-fixture.ts";

const CHECKOUT = /* GraphQL */ `
  mutation ($id: ID!, $input: OrderCheckoutInput!, $idempotencyKey: String) {
    orderCheckout(id: $id, input: $input, idempotencyKey: $idempotencyKey) {
      __typename
      ... on WorkflowError {
        code
        runId
        compensatedSteps
      }
      ... on WorkflowCancelledError {
        reason
        cancelledBy
      }
    }
  }
`;
const CANCEL = /* GraphQL */ `
  mutation ($id: ID!, $reason: String) {
    workflowRunCancel(id: $id, reason: $reason) {
      id
      status
      errorCode
      cancelRequest {
        by
        reason
      }
      steps {
        name
        status
      }
    }
  }
`;
const RETRY = /* GraphQL */ `
  mutation ($id: ID!, $reason: String) {
    workflowRunRetry(id: $id, reason: $reason) {
      id
      status
      steps {
        name
        status
      }
    }
  }
`;
const RESUME = /* GraphQL */ `
  mutation ($id: ID!) {
    workflowRunResume(id: $id) {
      id
      status
    }
  }
`;

/**
 * Refunds fail until `working` is set: a compensation a person retries once its provider is back. Only the first
 * request of a key is slow on the slow card: asked again under that key — a cancelled run settling the charge the
 * cancel cut off — it answers at once.
 */
class RefundsDownPaymentService extends PaymentService {
  working = false;
  /** The slow card answers at once (a provider fixed meanwhile). */
  fast = false;
  readonly #asked = new Set<string>();
  override async charge(request: ChargeRequest): Promise<Charge> {
    const again = this.#asked.has(request.idempotencyKey);
    this.#asked.add(request.idempotencyKey);
    const answersAtOnce = (this.fast || again) && request.paymentMethod === "pm_card_slow";
    return super.charge(answersAtOnce ? { ...request, paymentMethod: "pm_card_visa" } : request);
  }
  override async refund(chargeId: string, options: { signal?: AbortSignal } = {}): Promise<Refund> {
    if (!this.working) throw new Error("refund API down");
    return super.refund(chargeId, options);
  }
}

describe.each<Provider>(["sqlite", "postgresql"])("run control through GraphQL (%s)", (provider) => {
  let app: IdempotencyFixture;

  beforeAll(async () => {
    app = await createIdempotencyFixture(provider, {
      slowCardMs: 20_000,
      payment: (file, slowMs) => new RefundsDownPaymentService(file, { slowMs }),
      runControl: {
        authorize: ({ request, operation }) =>
          (request as Request).headers.get("x-role") === "admin" || `only admins may ${operation} runs`,
        actor: (request) => (request as Request).headers.get("x-user") ?? "anonymous",
        waitMs: 5000,
      },
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  const admin = { "x-role": "admin", "x-user": "admin-7" };
  const refunds = () => app.payment as RefundsDownPaymentService;
  const runOfKey = (key: string) =>
    retryUntil(async () => (await app.store.findRunByIdempotencyKey("order.checkout", key))?.run.id, {
      what: `the run of ${key}`,
    });
  const chargeRunning = (runId: string) =>
    retryUntil(
      async () => (await app.store.getRun(runId))?.steps.find((s) => s.name === "charge-payment")?.status === "RUNNING",
      { what: "the charge to start" },
    );

  test("cancelling during a slow charge aborts it, refunds what the provider charged, restores the stock, ends CANCELLED and tells the waiting caller", async () => {
    const { orderId, sku } = await app.newOrder({ stock: 5, quantity: 2 });
    const key = `cancel-${provider}-${Date.now()}`;
    // The cancel refunds the charge the run settles: the refund API works.
    refunds().working = true;
    const waiting = app.gql<{ orderCheckout: Record<string, unknown> }>(CHECKOUT, {
      id: orderId,
      input: { paymentMethodId: "pm_card_slow" },
      idempotencyKey: key,
    });
    const runId = await runOfKey(key);
    await chargeRunning(runId);

    const cancelled = await app.gql<{ workflowRunCancel: Record<string, unknown> }>(
      CANCEL,
      { id: runId, reason: "customer asked" },
      admin,
    );

    expect(cancelled.errors).toBeUndefined();
    expect(cancelled.data!.workflowRunCancel).toMatchObject({
      status: "CANCELLED",
      errorCode: "RUN_CANCELLED",
      cancelRequest: { by: "admin-7", reason: "customer asked" },
    });
    const member = {
      __typename: "WorkflowCancelledError",
      code: "RUN_CANCELLED",
      runId,
      reason: "customer asked",
      cancelledBy: "admin-7",
    };
    expect((await waiting).data!.orderCheckout).toMatchObject(member);
    expect(await app.stockOf(sku)).toBe(5);
    // The cut-off charge was asked again under its key (the provider had not got it: it charged then), and refunded.
    const charges = app.payment.charges().filter((c) => c.idempotencyKey.startsWith(`${runId}:`));
    expect(charges).toMatchObject([{ idempotencyKey: `${runId}:charge-payment`, refunded: true }]);
    expect(app.payment.refunds().filter((r) => r.chargeId === charges[0]!.id)).toHaveLength(1);
    const replayed = await app.gql<{ orderCheckout: Record<string, unknown> }>(CHECKOUT, {
      id: orderId,
      input: { paymentMethodId: "pm_card_slow" },
      idempotencyKey: key,
    });
    expect(replayed.data!.orderCheckout).toMatchObject(member);
  });

  test("cancelling a finished run changes nothing and says so", async () => {
    const { orderId } = await app.newOrder();
    const key = `done-${provider}-${Date.now()}`;
    const done = await app.gql<{ orderCheckout: Record<string, unknown> }>(CHECKOUT, {
      id: orderId,
      input: { paymentMethodId: "pm_card_visa" },
      idempotencyKey: key,
    });
    expect(done.data!.orderCheckout.__typename).toBe("OrderCheckoutSuccess");
    const runId = await runOfKey(key);

    const response = await app.gql(CANCEL, { id: runId }, admin);

    expect(response.data).toEqual({ workflowRunCancel: null });
    expect(response.errors![0]!.extensions).toMatchObject({ code: "RUN_ALREADY_ENDED", runId, status: "COMPLETED" });
    expect(await app.store.getRun(runId)).toMatchObject({ status: "COMPLETED", cancelRequest: null });
  });

  test("the app's rule decides who may cancel: a refused caller changes nothing", async () => {
    const { orderId } = await app.newOrder();
    const key = `refused-${provider}-${Date.now()}`;
    const waiting = app.gql(CHECKOUT, { id: orderId, input: { paymentMethodId: "pm_card_slow" }, idempotencyKey: key });
    const runId = await runOfKey(key);

    const response = await app.gql(CANCEL, { id: runId }, { "x-role": "customer" });

    expect(response.errors![0]).toMatchObject({
      message: "only admins may cancel runs",
      extensions: { code: "FORBIDDEN" },
    });
    expect((await app.store.getRun(runId))?.cancelRequest).toBeNull();
    await app.gql(CANCEL, { id: runId }, admin);
    await waiting;
  });

  test("retrying a FAILED run once its refund works again refunds it and ends COMPENSATED", async () => {
    const { orderId, sku } = await app.newOrder({ stock: 5, quantity: 1, shippingCountry: "XX" });
    const key = `retry-${provider}-${Date.now()}`;
    refunds().working = false;
    const failed = await app.gql<{ orderCheckout: Record<string, unknown> }>(CHECKOUT, {
      id: orderId,
      input: { paymentMethodId: "pm_card_visa" },
      idempotencyKey: key,
    });
    expect(failed.data!.orderCheckout).toMatchObject({ __typename: "CompensationFailedError" });
    const runId = await runOfKey(key);
    expect((await app.gql(RESUME, { id: runId }, admin)).errors![0]!.extensions).toMatchObject({
      code: "RUN_NOT_PARKED",
      status: "FAILED",
    });

    refunds().working = true;
    const retried = await app.gql<{ workflowRunRetry: { status: string } }>(
      RETRY,
      { id: runId, reason: "refund API is back" },
      admin,
    );

    expect(retried.errors).toBeUndefined();
    expect(retried.data!.workflowRunRetry.status).toBe("COMPENSATED");
    expect(app.payment.charges().find((c) => c.idempotencyKey.startsWith(`${runId}:`))).toMatchObject({
      refunded: true,
    });
    expect(await app.stockOf(sku)).toBe(5);
    const events = (await app.store.listEvents({ runId })).map(({ event }) => event);
    expect(events).toContainEqual(
      expect.objectContaining({ type: "run-reopened", action: "retry", by: "admin-7", reason: "refund API is back" }),
    );
  });

  test("resuming a parked run takes it up by its journal's rules: an interrupted transaction is compensated", async () => {
    const { orderId, sku } = await app.newOrder({ stock: 5, quantity: 2 });
    const key = `parked-${provider}-${Date.now()}`;
    const waiting = app.gql(CHECKOUT, { id: orderId, input: { paymentMethodId: "pm_card_slow" }, idempotencyKey: key });
    const runId = await runOfKey(key);
    await chargeRunning(runId);
    // The process stops the run (as on shutdown), and recovery gives up on it: it is parked.
    expect(await stopExecutingRuns(app.store.owner)).toBe(1);
    await waiting;
    expect(await app.store.parkRun(runId, "taken over too many times")).toBe(true);
    refunds().working = true;
    refunds().fast = true;

    const resumed = await app.gql<{ workflowRunResume: { status: string } }>(RESUME, { id: runId }, admin);

    expect(resumed.errors).toBeUndefined();
    expect(resumed.data!.workflowRunResume.status).toBe("COMPENSATED");
    expect(await app.stockOf(sku)).toBe(5);
    expect(
      app.payment
        .charges()
        .filter((c) => c.idempotencyKey.startsWith(`${runId}:`))
        .every((c) => c.refunded),
    ).toBe(true);
    expect(await app.store.getJournaledRun(runId)).toMatchObject({ parkedAt: null, recoveryAttempts: 0 });
    expect((await app.gql(RESUME, { id: runId }, admin)).errors![0]!.extensions).toMatchObject({
      code: "RUN_NOT_PARKED",
      status: "COMPENSATED",
    });
  });
});
