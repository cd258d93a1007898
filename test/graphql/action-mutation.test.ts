import { afterEach, describe, expect, it } from "vitest";
import { order, product } from "../../examples/checkout/entities.ts";
import { PaymentService } from "../../examples/checkout/services/payment-service.ts";
import { action, int, step } from "../../src/index.ts";
import {
  createCheckoutFixture,
  createOrder,
  seedProducts,
  stockBySku,
  type CheckoutFixture,
} from "./checkout-fixture.ts";

/** The checkout entities plus actions that exercise what checkout alone does not: authorization, no input, no resource. */
const guardedOrder = order.actions({
  cancel: action({ description: "Cancels a pending order (admins only)." })
    .authorize(
      ({ request }) => (request as Request).headers.get("x-role") === "admin" || "Only admins may cancel orders",
    )
    .workflow([
      step("cancel-order", async (ctx) => {
        await ctx.driver.update("order", { id: ctx.resourceId }, { status: "cancelled" });
        return { cancelled: true };
      }),
    ]),
});
const catalogue = product.actions({
  restockAll: action({ resource: false })
    .input({ amount: int })
    .workflow([
      step("restock", async (ctx) => ({
        updated: await ctx.driver.updateMany("product", {}, { stock: { increment: ctx.input.amount } }),
      })),
    ]),
  ping: action({ resource: false }).workflow([step("nothing", () => undefined)]),
  audit: action({ resource: false })
    .authorize(() => {
      throw new Error("audit database at postgres://admin:hunter2@db is unreachable");
    })
    .workflow([step("never", () => "unreachable")]),
});

/** A provider whose refund endpoint is down: compensating a charge fails. */
class RefundsDownPaymentService extends PaymentService {
  override async refund(): Promise<never> {
    throw new Error("Refund API unavailable");
  }
}

let app: CheckoutFixture;
afterEach(async () => {
  await app.close();
});

const FAILURE = /* GraphQL */ `
  __typename
  ... on WorkflowError { message code failedStep compensatedSteps runId }
`;

describe("action mutations", () => {
  it("refuses with ForbiddenError when the authorization rule says no, and runs nothing", async () => {
    app = await createCheckoutFixture({ entities: [product, guardedOrder] });
    const id = await createOrder(app.prisma, []);
    const cancel = (role: string) =>
      app.gql(
        `mutation ($id: ID!) { orderCancel(id: $id) { ${FAILURE} ... on OrderCancelSuccess { result order { status } } } }`,
        { id },
        { "x-role": role },
      );

    expect((await cancel("customer")).data!.orderCancel).toEqual({
      __typename: "ForbiddenError",
      message: "Only admins may cancel orders",
      code: "FORBIDDEN",
      failedStep: null,
      compensatedSteps: [],
      runId: null,
    });
    expect(await app.prisma.order.findUnique({ where: { id } })).toMatchObject({ status: "pending" });
    expect(await app.store.listRuns()).toEqual([]);

    expect((await cancel("admin")).data!.orderCancel).toEqual({
      __typename: "OrderCancelSuccess",
      result: { cancelled: true },
      order: { status: "cancelled" },
    });
  });

  it("reports a failed compensation as CompensationFailedError, and the run as FAILED", async () => {
    app = await createCheckoutFixture({ payment: (file) => new RefundsDownPaymentService(file, { slowMs: 10 }) });
    await seedProducts(app.prisma, [{ sku: "KB-1", stock: 5 }]);
    const id = await createOrder(app.prisma, [{ sku: "KB-1", quantity: 1 }], { shippingCountry: "XX" });
    const result = await app.gql(
      `mutation ($id: ID!) { orderCheckout(id: $id, input: { paymentMethodId: "pm_card_visa" }) {
        ${FAILURE} ... on CompensationFailedError { failedCompensations { step message code } uncompensatedSteps } } }`,
      { id },
    );
    const outcome = result.data!.orderCheckout;
    expect(outcome).toMatchObject({
      __typename: "CompensationFailedError",
      code: "COMPENSATION_FAILED",
      failedStep: "create-shipment",
      compensatedSteps: ["reserve-inventory"],
      failedCompensations: [{ step: "charge-payment", message: "Refund API unavailable", code: null }],
      uncompensatedSteps: [],
    });
    expect(await stockBySku(app.prisma)).toEqual({ "KB-1": 5 });

    const run = (
      await app.gql(`query ($id: ID!) { workflowRun(id: $id) { status steps { name status compensationError } } }`, {
        id: outcome.runId,
      })
    ).data!.workflowRun;
    expect(run.status).toBe("FAILED");
    expect(run.steps[1]).toEqual({
      name: "charge-payment",
      status: "COMPENSATION_FAILED",
      compensationError: "Refund API unavailable",
    });
  });

  it("reports an empty id as ValidationError naming the field", async () => {
    app = await createCheckoutFixture();
    const result = await app.gql(
      `mutation { orderCheckout(id: "", input: { paymentMethodId: "pm_card_visa" }) { ${FAILURE} ... on ValidationError { problems { field message } } } }`,
    );
    expect(result.data!.orderCheckout).toEqual({
      __typename: "ValidationError",
      message: "id is required",
      code: "VALIDATION_ERROR",
      failedStep: null,
      compensatedSteps: [],
      runId: null,
      problems: [{ field: "id", message: "is required" }],
    });
  });

  it("runs an entity-less action without an id, and its success has no entity field", async () => {
    app = await createCheckoutFixture({ entities: [catalogue, order] });
    await seedProducts(app.prisma, [
      { sku: "KB-1", stock: 5 },
      { sku: "MS-1", stock: 0 },
    ]);
    const result = await app.gql(
      `mutation { productRestockAll(input: { amount: 3 }) { __typename ... on ProductRestockAllSuccess { result } } }`,
    );
    expect(result.data!.productRestockAll).toEqual({ __typename: "ProductRestockAllSuccess", result: { updated: 2 } });
    expect(await stockBySku(app.prisma)).toEqual({ "KB-1": 8, "MS-1": 3 });
  });

  it("answers a step that returns nothing with an empty result object", async () => {
    app = await createCheckoutFixture({ entities: [catalogue, order] });
    const result = await app.gql(`mutation { productPing { ... on ProductPingSuccess { result runId } } }`);
    expect(result.data!.productPing).toEqual({ result: {}, runId: expect.any(String) });
  });

  it("masks an unexpected error: no union member, no internals in the response", async () => {
    app = await createCheckoutFixture({ entities: [catalogue, order] });
    const response = await app.gql(`mutation { productAudit { __typename } }`);
    expect(response.data).toBeNull();
    expect(response.errors).toEqual([
      expect.objectContaining({ message: "Unexpected error.", path: ["productAudit"] }),
    ]);
    expect(JSON.stringify(response)).not.toContain("hunter2");
  });

  it("gives each action exactly the arguments it needs", async () => {
    app = await createCheckoutFixture({ entities: [catalogue, guardedOrder] });
    const { data } = await app.gql(
      `{ __type(name: "Mutation") { fields { name args { name type { kind name ofType { name } } } } } }`,
    );
    const args = Object.fromEntries(
      data!.__type.fields.map((f: { name: string; args: Array<{ name: string }> }) => [
        f.name,
        f.args.map((a) => a.name),
      ]),
    );
    expect(args).toMatchObject({
      orderCheckout: ["id", "input", "idempotencyKey", "async"],
      orderCancel: ["id", "idempotencyKey", "async"],
      productRestockAll: ["input", "idempotencyKey", "async"],
      productPing: ["idempotencyKey", "async"],
    });
    const success = await app.gql(`{ __type(name: "ProductRestockAllSuccess") { fields { name } } }`);
    expect(success.data!.__type.fields.map((f: { name: string }) => f.name)).toEqual(["result", "runId", "replayed"]);
  });
});
