/**
 * The served checkout example's `pm_card_refundFail` test card, over real HTTP with real tokens: a checkout that
 * charges it and then cannot ship has to refund the charge, every refund fails, and the run ends FAILED for a
 * person to look at — with the failed refund's error and attempts in the journal, and the stock as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/server/create-logger.ts";
import { CapturedLogs } from "../helpers/captured-logs.ts";
import { adminHeaders, customerHeaders } from "../helpers/checkout-tokens.ts";
import { freshDatabase, type FreshDatabase, type Provider } from "../helpers/fresh-database.ts";
import { postGraphQL } from "../helpers/graphql-request.ts";
import { retryUntil } from "../helpers/retry-until.ts";
import { serveCheckout, type RunningCheckout } from "../helpers/serve-checkout.ts";

const ITEMS = JSON.stringify([{ sku: "KB-001", quantity: 2 }]);
const CHECKOUT = `mutation ($id: ID!) {
  orderCheckout(id: $id, input: { paymentMethodId: "pm_card_refundFail" }) {
    __typename
    ... on WorkflowError { message code failedStep compensatedSteps runId }
    ... on CompensationFailedError { failedCompensations { step message code } uncompensatedSteps }
  }
}`;
const RUN = `query ($id: ID!) {
  workflowRun(id: $id) {
    status failedStep errorCode
    steps { name status attempts errorCode compensationError compensationErrorCode compensationAttempts }
  }
}`;

interface StepRun {
  name: string;
  status: string;
  attempts: number;
  errorCode: string | null;
  compensationError: string | null;
  compensationErrorCode: string | null;
  compensationAttempts: number;
}
type RunAnswer = {
  workflowRun: { status: string; failedStep: string | null; errorCode: string | null; steps: StepRun[] } | null;
};

describe.each<Provider>(["sqlite", "postgresql"])("the pm_card_refundFail test card (%s)", (provider) => {
  let database: FreshDatabase;
  let running: RunningCheckout;
  const gql = async <T>(
    headers: Record<string, string>,
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<T> => {
    const { body } = await postGraphQL<T>(running.address.graphqlUrl, query, variables, headers);
    if (body.errors?.length || !body.data) throw new Error(`GraphQL failed: ${JSON.stringify(body.errors)}`);
    return body.data;
  };
  const stockOf = async (sku: string) =>
    (await gql<{ products: Array<{ sku: string; stock: number }> }>({}, `{ products { sku stock } }`)).products.find(
      (p) => p.sku === sku,
    )!.stock;
  const runOf = async (runId: string) => (await gql<RunAnswer>(adminHeaders(), RUN, { id: runId })).workflowRun!;
  const stepOf = (run: { steps: StepRun[] }, name: string) => run.steps.find((step) => step.name === name)!;

  beforeAll(async () => {
    database = await freshDatabase(provider);
    const logger = createLogger({ level: "silent", destination: new CapturedLogs() });
    running = await serveCheckout({ databaseUrl: database.url, dataDir: database.dataDir, logger, graphiql: false });
  }, 60_000);
  afterAll(async () => {
    await running?.close();
    await database?.remove();
  });

  it("charges, cannot refund after its retries, and leaves the run FAILED with the refund's error journaled", async () => {
    const stockBefore = await stockOf("KB-001");
    const { orderCreate } = await gql<{ orderCreate: { id: string } }>(
      customerHeaders(),
      `mutation ($data: OrderCreateInput!) { orderCreate(data: $data) { id } }`,
      {
        data: { items: ITEMS, shippingCountry: "XX" },
      },
    );
    const { orderCheckout: outcome } = await gql<{ orderCheckout: Record<string, unknown> & { runId: string } }>(
      customerHeaders(),
      CHECKOUT,
      { id: orderCreate.id },
    );

    expect(outcome).toMatchObject({
      __typename: "CompensationFailedError",
      code: "COMPENSATION_FAILED",
      failedStep: "create-shipment",
      compensatedSteps: ["reserve-inventory"],
      failedCompensations: [{ step: "charge-payment", code: "REFUND_FAILED" }],
      uncompensatedSteps: [],
    });
    const [failedRefund] = outcome.failedCompensations as Array<{ message: string }>;
    expect(failedRefund!.message).toMatch(/^Refund failed: the card of charge ch_\w+ cannot receive refunds$/);

    // The customer sees their own run as the admin does.
    const run = await runOf(outcome.runId);
    expect((await gql<RunAnswer>(customerHeaders(), RUN, { id: outcome.runId })).workflowRun).toEqual(run);
    expect(run).toMatchObject({ status: "FAILED", failedStep: "create-shipment", errorCode: "SHIPPING_UNAVAILABLE" });
    expect(run.steps.map((step) => [step.name, step.status])).toEqual([
      ["reserve-inventory", "COMPENSATED"],
      ["charge-payment", "COMPENSATION_FAILED"],
      ["create-shipment", "FAILED"],
      ["finalize", "SKIPPED"],
    ]);
    expect(stepOf(run, "charge-payment")).toMatchObject({
      attempts: 1,
      compensationError: failedRefund!.message,
      compensationErrorCode: "REFUND_FAILED",
      compensationAttempts: 3,
    });
    expect(stepOf(run, "reserve-inventory")).toMatchObject({ compensationError: null, compensationAttempts: 0 });

    // The provider keeps the charge, unrefunded, and saw every one of the three refunds fail.
    const payment = running.app.services.paymentService;
    const charges = payment.charges().filter((charge) => charge.paymentMethod === "pm_card_refundFail");
    expect(charges).toHaveLength(1);
    expect(charges[0]).toMatchObject({ amount: 158, refunded: false });
    expect(payment.failedRefunds(charges[0]!.id)).toBe(3);
    expect(payment.refunds().filter((refund) => refund.chargeId === charges[0]!.id)).toEqual([]);
    // The transaction rolled back: the reservation is gone and the order is still pending, with no charge on it.
    expect(await stockOf("KB-001")).toBe(stockBefore);
    const { order } = await gql<{ order: { status: string; chargeId: string | null } }>(
      adminHeaders(),
      `query ($id: ID!) { order(id: $id) { status chargeId } }`,
      { id: orderCreate.id },
    );
    expect(order).toEqual({ status: "pending", chargeId: null });
  });

  it("fails again when an admin retries it, three attempts afresh, and never puts the stock back twice", async () => {
    const stockBefore = await stockOf("KB-001");
    const { orderCreate } = await gql<{ orderCreate: { id: string } }>(
      customerHeaders(),
      `mutation ($data: OrderCreateInput!) { orderCreate(data: $data) { id } }`,
      {
        data: { items: ITEMS, shippingCountry: "XX" },
      },
    );
    const { runId } = (
      await gql<{ orderCheckout: { runId: string } }>(customerHeaders(), CHECKOUT, { id: orderCreate.id })
    ).orderCheckout;
    const charge = running.app.services.paymentService.charges().find((c) => c.idempotencyKey.startsWith(runId))!;
    expect(running.app.services.paymentService.failedRefunds(charge.id)).toBe(3);

    await gql(
      adminHeaders(),
      `mutation ($id: ID!) { workflowRunRetry(id: $id, reason: "card issuer asked to try again") { id status } }`,
      { id: runId },
    );
    const retried = await retryUntil(
      async () => {
        const run = await runOf(runId);
        return run.status === "FAILED" && stepOf(run, "charge-payment").status === "COMPENSATION_FAILED" && run;
      },
      { what: "the retried run to fail again" },
    );
    expect(stepOf(retried, "charge-payment")).toMatchObject({
      compensationErrorCode: "REFUND_FAILED",
      compensationAttempts: 3,
    });
    expect(stepOf(retried, "reserve-inventory").status).toBe("COMPENSATED");
    expect(running.app.services.paymentService.failedRefunds(charge.id)).toBe(6);
    expect(await stockOf("KB-001")).toBe(stockBefore);
  });
});
