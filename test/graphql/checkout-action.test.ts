import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createCheckoutFixture,
  createOrder,
  seedProducts,
  stockBySku,
  type CheckoutFixture,
} from "./checkout-fixture.ts";

const CHECKOUT = /* GraphQL */ `
  mutation ($id: ID!, $paymentMethodId: String!, $key: String) {
    orderCheckout(id: $id, input: { paymentMethodId: $paymentMethodId }, idempotencyKey: $key) {
      __typename
      # runId has one type on every member, so success and errors select it under one name.
      ... on OrderCheckoutSuccess {
        result
        runId
        order {
          id
          status
          chargeId
          shipmentId
        }
      }
      ... on WorkflowError {
        message
        code
        failedStep
        compensatedSteps
        runId
      }
      ... on StepFailedError {
        uncompensatedSteps
        attempts
        causeCode
      }
      ... on NotFoundError {
        entity
        resourceId
      }
    }
  }
`;

const RUN = /* GraphQL */ `
  query ($id: ID!) {
    workflowRun(id: $id) {
      id
      workflow
      status
      failedStep
      error
      errorCode
      resourceId
      idempotencyKey
      transactional
      rolledBack
      input
      data
      result
      createdAt
      updatedAt
      steps {
        name
        index
        status
        attempts
        error
        errorCode
        compensationError
        startedAt
        endedAt
      }
    }
  }
`;

let app: CheckoutFixture;
beforeEach(async () => {
  app = await createCheckoutFixture();
  await seedProducts(app.prisma, [
    { sku: "KB-1", stock: 5 },
    { sku: "MS-1", stock: 2 },
  ]);
});
afterEach(async () => {
  await app.close();
});

const items = [
  { sku: "KB-1", quantity: 2 },
  { sku: "MS-1", quantity: 1 },
];

async function checkout(id: string, paymentMethodId = "pm_card_visa", key?: string) {
  const response = await app.gql(CHECKOUT, { id, paymentMethodId, key });
  expect(response.errors).toBeUndefined();
  return response.data!.orderCheckout;
}

async function run(id: string) {
  const response = await app.gql(RUN, { id });
  expect(response.errors).toBeUndefined();
  return response.data!.workflowRun;
}

const stepStatuses = (steps: Array<{ name: string; status: string }>) =>
  Object.fromEntries(steps.map((s) => [s.name, s.status]));

describe("orderCheckout", () => {
  it("completes the order with both ids set and returns the last step's result", async () => {
    const id = await createOrder(app.prisma, items);
    const outcome = await checkout(id, "pm_card_visa", "checkout-1");

    expect(outcome.__typename).toBe("OrderCheckoutSuccess");
    const [charge] = app.payment.charges();
    const [shipment] = app.shipping.shipments();
    expect(outcome.result).toEqual({ success: true, chargeId: charge!.id, shipmentId: shipment!.id });
    expect(outcome.order).toEqual({ id, status: "completed", chargeId: charge!.id, shipmentId: shipment!.id });
    expect(await stockBySku(app.prisma)).toEqual({ "KB-1": 3, "MS-1": 1 });

    const journal = await run(outcome.runId);
    expect(journal).toMatchObject({
      id: outcome.runId,
      workflow: "order.checkout",
      status: "COMPLETED",
      failedStep: null,
      error: null,
      resourceId: id,
      idempotencyKey: "checkout-1",
      transactional: true,
      rolledBack: false,
      input: { paymentMethodId: "pm_card_visa" },
      result: outcome.result,
      data: { chargeId: charge!.id, shipmentId: shipment!.id },
    });
    expect(journal.steps.map((s: { name: string }) => s.name)).toEqual([
      "reserve-inventory",
      "charge-payment",
      "create-shipment",
      "finalize",
    ]);
    for (const step of journal.steps) {
      expect(step).toMatchObject({ status: "COMPLETED", attempts: 1, error: null });
      expect(new Date(step.endedAt).getTime()).toBeGreaterThanOrEqual(new Date(step.startedAt).getTime());
    }
  });

  it("reports a declined card as StepFailedError at charge-payment, with the reservation undone", async () => {
    const id = await createOrder(app.prisma, items);
    const outcome = await checkout(id, "pm_card_chargeDeclined");

    expect(outcome).toMatchObject({
      __typename: "StepFailedError",
      code: "ACTION_ERROR",
      failedStep: "charge-payment",
      compensatedSteps: ["reserve-inventory"],
      uncompensatedSteps: [],
      attempts: 1,
      causeCode: "PAYMENT_DECLINED",
    });
    expect(outcome.message).toContain("Payment failed");
    expect(await stockBySku(app.prisma)).toEqual({ "KB-1": 5, "MS-1": 2 });
    expect(app.payment.charges()).toEqual([]);
    expect(await app.prisma.order.findUnique({ where: { id } })).toMatchObject({ status: "pending", chargeId: null });

    const journal = await run(outcome.runId);
    expect(journal).toMatchObject({
      status: "COMPENSATED",
      failedStep: "charge-payment",
      errorCode: "PAYMENT_DECLINED",
      rolledBack: true,
    });
    expect(journal.error).toContain("Payment failed");
    expect(stepStatuses(journal.steps)).toEqual({
      "reserve-inventory": "COMPENSATED",
      "charge-payment": "FAILED",
      "create-shipment": "SKIPPED",
      finalize: "SKIPPED",
    });
    expect(journal.steps[1]).toMatchObject({
      error: expect.stringContaining("Payment failed"),
      errorCode: "PAYMENT_DECLINED",
    });
  });

  it("refunds the charge exactly once when shipping is refused, and puts the stock back", async () => {
    const id = await createOrder(app.prisma, items, { shippingCountry: "XX" });
    const outcome = await checkout(id);

    expect(outcome).toMatchObject({
      __typename: "StepFailedError",
      code: "ACTION_ERROR",
      failedStep: "create-shipment",
      compensatedSteps: ["charge-payment", "reserve-inventory"],
      causeCode: "SHIPPING_UNAVAILABLE",
    });
    const charges = app.payment.charges();
    expect(charges).toHaveLength(1);
    expect(charges[0]!.refunded).toBe(true);
    expect(app.payment.refunds()).toEqual([{ id: expect.any(String), chargeId: charges[0]!.id, amount: 20 }]);
    expect(app.shipping.shipments()).toEqual([]);
    expect(await stockBySku(app.prisma)).toEqual({ "KB-1": 5, "MS-1": 2 });

    const journal = await run(outcome.runId);
    expect(journal.status).toBe("COMPENSATED");
    expect(stepStatuses(journal.steps)).toEqual({
      "reserve-inventory": "COMPENSATED",
      "charge-payment": "COMPENSATED",
      "create-shipment": "FAILED",
      finalize: "SKIPPED",
    });
  });

  it("reports insufficient stock at reserve-inventory with nothing to undo", async () => {
    const id = await createOrder(app.prisma, [
      { sku: "KB-1", quantity: 1 },
      { sku: "MS-1", quantity: 3 },
    ]);
    const outcome = await checkout(id);

    expect(outcome).toMatchObject({
      __typename: "StepFailedError",
      failedStep: "reserve-inventory",
      compensatedSteps: [],
      causeCode: "INSUFFICIENT_STOCK",
    });
    expect(outcome.message).toContain("Insufficient stock");
    expect(await stockBySku(app.prisma)).toEqual({ "KB-1": 5, "MS-1": 2 });
    expect(app.payment.charges()).toEqual([]);
    expect((await run(outcome.runId)).status).toBe("COMPENSATED");
  });

  it("reports an unknown order as NotFoundError before any step, with no run", async () => {
    const outcome = await checkout("no-such-order");

    expect(outcome).toEqual({
      __typename: "NotFoundError",
      message: 'order "no-such-order" not found',
      code: "NOT_FOUND",
      failedStep: null,
      compensatedSteps: [],
      runId: null,
      entity: "order",
      resourceId: "no-such-order",
    });
    expect(await app.store.listRuns()).toEqual([]);
  });

  it("retries a transiently failing card and journals both attempts", async () => {
    const id = await createOrder(app.prisma, items);
    const outcome = await checkout(id, "pm_card_flaky");

    expect(outcome.__typename).toBe("OrderCheckoutSuccess");
    const journal = await run(outcome.runId);
    expect(journal.steps.find((s: { name: string }) => s.name === "charge-payment")).toMatchObject({
      status: "COMPLETED",
      attempts: 2,
    });
    expect(app.payment.charges()).toHaveLength(1);
  });

  it("refuses to check out an order twice", async () => {
    const id = await createOrder(app.prisma, items);
    expect((await checkout(id)).__typename).toBe("OrderCheckoutSuccess");
    const again = await checkout(id);
    expect(again).toMatchObject({ __typename: "StepFailedError", failedStep: "reserve-inventory" });
    expect(again.message).toContain("is completed, not pending");
    expect(app.payment.charges()).toHaveLength(1);
    expect(await stockBySku(app.prisma)).toEqual({ "KB-1": 3, "MS-1": 1 });
  });
});

describe("workflowRuns", () => {
  it("lists runs newest first, filtered by status and workflow", async () => {
    const first = await checkout(await createOrder(app.prisma, items));
    const second = await checkout(await createOrder(app.prisma, items), "pm_card_chargeDeclined");
    const list = async (args: string) =>
      (await app.gql(`{ workflowRuns${args} { id status } }`)).data!.workflowRuns.map((r: { id: string }) => r.id);

    expect(await list("")).toEqual([second.runId, first.runId]);
    expect(await list("(status: COMPLETED)")).toEqual([first.runId]);
    expect(await list(`(status: COMPENSATED, workflow: "order.checkout")`)).toEqual([second.runId]);
    expect(await list(`(workflow: "product.other")`)).toEqual([]);
    expect(await list("(take: 1)")).toEqual([second.runId]);
  });

  it("answers an unknown run id with null", async () => {
    expect(await app.gql(`{ workflowRun(id: "nope") { id } }`)).toEqual({ data: { workflowRun: null } });
  });

  it("refuses a take above its limit", async () => {
    const result = await app.gql(`{ workflowRuns(take: 1000) { id } }`);
    expect(result.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });
});
