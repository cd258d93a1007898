import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Provider } from "../helpers/fresh-database.ts";
import { retryUntil } from "../helpers/retry-until.ts";
import { createIdempotencyFixture, type IdempotencyFixture } from "../action/idempotency-fixture.ts";

const CHECKOUT = /* GraphQL */ `
  mutation ($id: ID!, $input: OrderCheckoutInput!, $idempotencyKey: String, $async: Boolean) {
    orderCheckout(id: $id, input: $input, idempotencyKey: $idempotencyKey, async: $async) {
      __typename
      ... on OrderCheckoutStarted {
        runId
        replayed
        run {
          status
          steps {
            name
            status
          }
        }
      }
      ... on OrderCheckoutSuccess {
        runId
      }
      ... on WorkflowError {
        code
        runId
      }
    }
  }
`;
const RUN = /* GraphQL */ `
  query ($id: ID!) {
    workflowRun(id: $id) {
      status
      failedStep
    }
  }
`;

type Outcome = Record<string, unknown> & { __typename: string; runId?: string; run?: { status: string } };

describe.each<Provider>(["sqlite", "postgresql"])("async: true on an action mutation (%s)", (provider) => {
  let app: IdempotencyFixture;

  beforeAll(async () => {
    app = await createIdempotencyFixture(provider, { slowCardMs: 800 });
  });
  afterAll(async () => {
    await app?.close();
  });

  const checkout = async (variables: Record<string, unknown>) => {
    const response = await app.gql<{ orderCheckout: Outcome }>(CHECKOUT, { async: true, ...variables });
    expect(response.errors).toBeUndefined();
    return response.data!.orderCheckout;
  };
  const endOf = (runId: string) =>
    retryUntil(
      async () => {
        const run = (await app.gql<{ workflowRun: { status: string; failedStep: string | null } }>(RUN, { id: runId }))
          .data!.workflowRun;
        return run.status === "RUNNING" || run.status === "COMPENSATING" ? undefined : run;
      },
      { what: `run ${runId} to end` },
    );

  test("answers OrderCheckoutStarted while the run is still going, and the run completes on its own", async () => {
    const { orderId, sku } = await app.newOrder({ stock: 5, quantity: 2 });

    const started = await checkout({ id: orderId, input: { paymentMethodId: "pm_card_slow" } });

    expect(started).toMatchObject({ __typename: "OrderCheckoutStarted", replayed: false, run: { status: "RUNNING" } });
    expect(await endOf(started.runId!)).toEqual({ status: "COMPLETED", failedStep: null });
    expect(await app.stockOf(sku)).toBe(3);
    expect(app.payment.charges().filter((c) => c.idempotencyKey.startsWith(`${started.runId}:`))).toHaveLength(1);
  });

  test("under the same key answers the run the key names, replayed: true, and starts nothing new", async () => {
    const { orderId } = await app.newOrder();
    const request = {
      id: orderId,
      input: { paymentMethodId: "pm_card_slow" },
      idempotencyKey: `async-${provider}-${Date.now()}`,
    };

    const first = await checkout(request);
    const again = await checkout(request);
    await endOf(first.runId!);
    const afterEnd = await checkout(request);
    const waited = await checkout({ ...request, async: false });

    expect(again).toMatchObject({ __typename: "OrderCheckoutStarted", runId: first.runId, replayed: true });
    expect(afterEnd).toMatchObject({
      __typename: "OrderCheckoutStarted",
      runId: first.runId,
      replayed: true,
      run: { status: "COMPLETED" },
    });
    expect(waited).toEqual({ __typename: "OrderCheckoutSuccess", runId: first.runId });
    expect((await app.store.listRuns({ take: 500 })).filter((run) => run.resourceId === orderId)).toHaveLength(1);
  });

  test("a request refused before any run started fails as without async: an unknown id is NotFoundError", async () => {
    expect(await checkout({ id: "no-such-order", input: { paymentMethodId: "pm_card_visa" } })).toEqual({
      __typename: "NotFoundError",
      code: "NOT_FOUND",
      runId: null,
    });
  });

  test("a run that fails after it started is compensated in the background; its outcome is in workflowRun", async () => {
    const { orderId, sku } = await app.newOrder({ stock: 5, quantity: 2 });

    const started = await checkout({ id: orderId, input: { paymentMethodId: "pm_card_chargeDeclined" } });

    expect(started).toMatchObject({ __typename: "OrderCheckoutStarted" });
    expect(await endOf(started.runId!)).toEqual({ status: "COMPENSATED", failedStep: "charge-payment" });
    expect(await app.stockOf(sku)).toBe(5);
  });
});
