import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import {
  CustomerOrdersDocument,
  OrderCheckoutDocument,
  OrderCreateDocument,
  OrderDocument,
  ProductsDocument,
  WorkflowRunDocument,
  type OrderCheckoutMutation,
} from "../../examples/checkout/client/graphql.ts";
import { serveCheckout, type RunningCheckout } from "../helpers/serve-checkout.ts";
import { createLogger } from "../../src/server/create-logger.ts";
import { CapturedLogs } from "../helpers/captured-logs.ts";
import { freshDatabase, type FreshDatabase, type Provider } from "../helpers/fresh-database.ts";
import { typedRequest } from "../helpers/typed-request.ts";
import { CUSTOMER_A, customerHeaders } from "../helpers/checkout-tokens.ts";

type CheckoutOutcome = OrderCheckoutMutation["orderCheckout"];
type Member<Name extends CheckoutOutcome["__typename"]> = Extract<CheckoutOutcome, { __typename: Name }>;

/** Narrows the typed union, failing the test with the whole outcome when it is another member. */
function expectMember<Name extends CheckoutOutcome["__typename"]>(outcome: CheckoutOutcome, name: Name): Member<Name> {
  if (outcome.__typename !== name) expect.fail(`expected ${name}, got ${JSON.stringify(outcome)}`);
  return outcome as Member<Name>;
}

/** An exhaustive switch over the generated union: it stops compiling if the schema grows a member we ignore. */
function summarize(outcome: CheckoutOutcome): string {
  switch (outcome.__typename) {
    case "OrderCheckoutSuccess":
      return `completed (run ${outcome.runId})`;
    case "OrderCheckoutStarted":
      return "started in the background";
    case "StepFailedError":
    case "CompensationFailedError":
      return `${outcome.code} at ${outcome.failedStep}: ${outcome.message}`;
    case "ValidationError":
    case "NotFoundError":
    case "ForbiddenError":
    case "RunInProgressError":
    case "IdempotencyConflictError":
    case "ResourceBusyError":
    case "WorkflowCancelledError":
      return `${outcome.code}: ${outcome.message}`;
    default:
      return outcome satisfies never;
  }
}

describe.each<Provider>(["sqlite", "postgresql"])(
  "the generated typed client against npm start's app (%s)",
  (provider) => {
    let database: FreshDatabase;
    let running: RunningCheckout;
    let url: string;
    // The demo customer, checking out their own orders and reading their runs.
    const asCustomer = () => ({ url, headers: customerHeaders() });

    beforeAll(async () => {
      database = await freshDatabase(provider);
      const logger = createLogger({ level: "warn", destination: new CapturedLogs() });
      running = await serveCheckout({ databaseUrl: database.url, dataDir: database.dataDir, logger, graphiql: false });
      url = running.address.graphqlUrl;
    }, 60_000);
    afterAll(async () => {
      await running?.close();
      await database?.remove();
    });

    const stockBySku = async () => {
      const { products } = await typedRequest(asCustomer(), ProductsDocument);
      return Object.fromEntries(products.map((product) => [product.sku, product.stock]));
    };
    /** `total` left out is the server's to compute; one sent must be what the server computes. */
    const createOrder = async (
      items: Array<{ sku: string; quantity: number }>,
      total: number | undefined,
      shippingCountry?: string,
    ) => {
      const { orderCreate } = await typedRequest(asCustomer(), OrderCreateDocument, {
        data: { items: JSON.stringify(items), total, shippingCountry },
      });
      return orderCreate;
    };
    const checkout = async (id: string, paymentMethodId: string) =>
      (await typedRequest(asCustomer(), OrderCheckoutDocument, { id, input: { paymentMethodId } })).orderCheckout;

    it("lists the seeded products, typed", async () => {
      const { products } = await typedRequest(asCustomer(), ProductsDocument);
      expectTypeOf(products).toEqualTypeOf<
        Array<{ id: string; sku: string; name: string; price: number; stock: number }>
      >();
      expect(products.map((product) => product.sku)).toEqual(["CB-001", "MS-001", "KB-001", "MN-001"]);
    });

    it("checks an order out: OrderCheckoutSuccess with the result, the completed order and a COMPLETED run", async () => {
      const before = await stockBySku();
      const order = await createOrder([{ sku: "KB-001", quantity: 2 }], 158);
      const success = expectMember(await checkout(order.id, "pm_card_visa"), "OrderCheckoutSuccess");
      expect(success.result).toEqual({
        success: true,
        chargeId: expect.stringMatching(/^ch_/),
        shipmentId: expect.stringMatching(/^ship_/),
      });
      const { chargeId, shipmentId } = success.result as { chargeId: string; shipmentId: string };
      expect(success.order).toMatchObject({ id: order.id, status: "completed", chargeId, shipmentId });
      expect((await stockBySku())["KB-001"]).toBe(before["KB-001"]! - 2);

      const { workflowRun } = await typedRequest(asCustomer(), WorkflowRunDocument, { id: success.runId! });
      expect(workflowRun).toMatchObject({ workflow: "order.checkout", status: "COMPLETED", failedStep: null });
      expect(workflowRun?.steps.map((step) => [step.name, step.status])).toEqual([
        ["reserve-inventory", "COMPLETED"],
        ["charge-payment", "COMPLETED"],
        ["create-shipment", "COMPLETED"],
        ["finalize", "COMPLETED"],
      ]);
    });

    it("lists the customer's own orders through the relation, typed, with their status and total", async () => {
      const order = await createOrder([{ sku: "KB-001", quantity: 1 }], 79);
      expectMember(await checkout(order.id, "pm_card_visa"), "OrderCheckoutSuccess");
      const { customer } = await typedRequest(asCustomer(), CustomerOrdersDocument, { id: CUSTOMER_A });
      expectTypeOf(customer?.orders[0]?.total).toEqualTypeOf<number | undefined>();
      expect(customer?.id).toBe(CUSTOMER_A);
      expect(customer?.orders).toContainEqual({ id: order.id, status: "completed", total: 79 });
    });

    it("retries a flaky card: OrderCheckoutSuccess, and the run shows charge-payment took two attempts", async () => {
      const order = await createOrder([{ sku: "CB-001", quantity: 1 }], 9.99);
      const success = expectMember(await checkout(order.id, "pm_card_flaky"), "OrderCheckoutSuccess");
      expect(success.order?.status).toBe("completed");
      const { workflowRun } = await typedRequest(asCustomer(), WorkflowRunDocument, { id: success.runId! });
      expect(workflowRun?.steps.find((step) => step.name === "charge-payment")).toMatchObject({
        status: "COMPLETED",
        attempts: 2,
      });
    });

    it("reports a declined card as StepFailedError at charge-payment, with stock restored and the order still pending", async () => {
      const before = await stockBySku();
      const order = await createOrder([{ sku: "MS-001", quantity: 1 }], 29.5);
      const failure = expectMember(await checkout(order.id, "pm_card_chargeDeclined"), "StepFailedError");
      expect(failure).toMatchObject({
        code: "ACTION_ERROR",
        failedStep: "charge-payment",
        causeCode: "PAYMENT_DECLINED",
        compensatedSteps: ["reserve-inventory"],
      });
      expect(failure.message).toContain("Payment failed");
      expect(summarize(failure)).toBe(`ACTION_ERROR at charge-payment: ${failure.message}`);
      expect(await stockBySku()).toEqual(before);
      expect((await typedRequest(asCustomer(), OrderDocument, { id: order.id })).order?.status).toBe("pending");
      const { workflowRun } = await typedRequest(asCustomer(), WorkflowRunDocument, { id: failure.runId! });
      expect(workflowRun?.status).toBe("COMPENSATED");
    });

    it("reports an undeliverable country as StepFailedError at create-shipment, refunding the charge once", async () => {
      const before = await stockBySku();
      const refundsBefore = running.app.services.paymentService.refunds().length;
      const order = await createOrder([{ sku: "CB-001", quantity: 3 }], 29.97, "XX");
      const failure = expectMember(await checkout(order.id, "pm_card_visa"), "StepFailedError");
      expect(failure).toMatchObject({
        failedStep: "create-shipment",
        causeCode: "SHIPPING_UNAVAILABLE",
        compensatedSteps: ["charge-payment", "reserve-inventory"],
        uncompensatedSteps: [],
      });
      expect(running.app.services.paymentService.refunds()).toHaveLength(refundsBefore + 1);
      expect(await stockBySku()).toEqual(before);
    });

    it("reports short stock as StepFailedError at reserve-inventory, changing nothing", async () => {
      const before = await stockBySku();
      const order = await createOrder(
        [
          { sku: "CB-001", quantity: 1 },
          { sku: "MN-001", quantity: before["MN-001"]! + 1 },
        ],
        undefined,
      );
      const failure = expectMember(await checkout(order.id, "pm_card_visa"), "StepFailedError");
      expect(failure).toMatchObject({
        failedStep: "reserve-inventory",
        causeCode: "INSUFFICIENT_STOCK",
        compensatedSteps: [],
      });
      expect(failure.message).toContain("Insufficient stock");
      expect(await stockBySku()).toEqual(before);
    });

    it("reports an unknown order as NotFoundError, before any run started", async () => {
      const id = randomUUID();
      const failure = expectMember(await checkout(id, "pm_card_visa"), "NotFoundError");
      expect(failure).toEqual({
        __typename: "NotFoundError",
        message: `order "${id}" not found`,
        code: "NOT_FOUND",
        failedStep: null,
        compensatedSteps: [],
        runId: null,
        entity: "order",
        resourceId: id,
      });
    });

    it("reports a missing id as ValidationError naming the field", async () => {
      const failure = expectMember(await checkout("", "pm_card_visa"), "ValidationError");
      expect(failure).toMatchObject({
        code: "VALIDATION_ERROR",
        failedStep: null,
        runId: null,
        problems: [{ field: "id", message: "is required" }],
      });
    });
  },
);
