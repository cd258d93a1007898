import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Provider } from "../helpers/fresh-database.ts";
import { retryUntil } from "../helpers/retry-until.ts";
import { createIdempotencyFixture, type IdempotencyFixture } from "../action/idempotency-fixture.ts";

const CHECKOUT = /* GraphQL */ `
  mutation ($id: ID!, $input: OrderCheckoutInput!) {
    orderCheckout(id: $id, input: $input) {
      __typename
      ... on OrderCheckoutSuccess {
        runId
        order {
          status
        }
      }
      ... on WorkflowError {
        message
        code
        failedStep
        runId
      }
      ... on ResourceBusyError {
        entity
        resourceId
      }
    }
  }
`;
const UPDATE = /* GraphQL */ `
  mutation ($id: ID!) {
    orderUpdate(id: $id, data: { items: "[{\\"sku\\":\\"X\\",\\"quantity\\":50}]" }) {
      id
      items
    }
  }
`;
const DELETE = /* GraphQL */ `
  mutation ($id: ID!) {
    orderDelete(id: $id) {
      id
    }
  }
`;
const ORDER = /* GraphQL */ `
  query ($id: ID!) {
    order(id: $id) {
      id
      status
      items
    }
  }
`;

type Outcome = Record<string, unknown> & { __typename: string };
interface GqlError {
  message: string;
  extensions?: { code?: string };
}

/** How long the slow card takes: long enough for the requests sent while its run holds the order. */
const SLOW_MS = 1500;

describe.each<Provider>(["sqlite", "postgresql"])("one action run per row at a time (%s)", (provider) => {
  let app: IdempotencyFixture;

  beforeAll(async () => {
    app = await createIdempotencyFixture(provider, { slowCardMs: SLOW_MS });
  });
  afterAll(async () => {
    await app?.close();
  });

  const checkout = async (id: string, paymentMethodId: string) => {
    const response = await app.gql<{ orderCheckout: Outcome }>(CHECKOUT, { id, input: { paymentMethodId } });
    expect(response.errors).toBeUndefined();
    return response.data!.orderCheckout;
  };

  /** Starts a slow checkout and resolves once its run holds the order (its journal row exists), with its outcome to come. */
  async function holdWithSlowCheckout(orderId: string): Promise<{ first: Promise<Outcome> }> {
    const first = checkout(orderId, "pm_card_slow");
    await retryUntil(async () => (await app.store.findRunHolding!(`order:${orderId}`)) ?? undefined, {
      what: "the checkout's hold",
    });
    return { first };
  }

  test("orderUpdate and orderDelete of an order a checkout holds are refused with RESOURCE_BUSY and change nothing", async () => {
    const { orderId } = await app.newOrder();
    const before = (await app.gql<{ order: Record<string, unknown> }>(ORDER, { id: orderId })).data!.order;
    const { first } = await holdWithSlowCheckout(orderId);

    const update = await app.gql<{ orderUpdate: unknown }>(UPDATE, { id: orderId });
    const remove = await app.gql<{ orderDelete: unknown }>(DELETE, { id: orderId });

    for (const refused of [update, remove]) {
      expect((refused.errors as GqlError[] | undefined)?.map((e) => e.extensions?.code)).toEqual(["RESOURCE_BUSY"]);
    }
    expect(update.data).toEqual({ orderUpdate: null });
    expect(remove.data).toEqual({ orderDelete: null });
    expect(await first).toMatchObject({ __typename: "OrderCheckoutSuccess", order: { status: "completed" } });
    expect((await app.gql<{ order: Record<string, unknown> }>(ORDER, { id: orderId })).data!.order).toEqual({
      ...before,
      status: "completed",
    });
  });

  test("once the run ended, the order is free: orderUpdate goes through", async () => {
    const { orderId } = await app.newOrder();
    await (
      await holdWithSlowCheckout(orderId)
    ).first;

    const update = await app.gql<{ orderUpdate: { items: string } }>(UPDATE, { id: orderId });

    expect(update.errors).toBeUndefined();
    expect(update.data!.orderUpdate.items).toContain('"quantity":50');
  });

  test("a second checkout of the held order past the wait bound is ResourceBusyError; nothing of it ran", async () => {
    const { orderId, sku } = await app.newOrder({ stock: 5, quantity: 2 });
    app.runtime.resourceWaitMs = 100;
    try {
      const { first } = await holdWithSlowCheckout(orderId);
      const chargesBefore = app.payment.charges().length;

      const second = await checkout(orderId, "pm_card_visa");

      expect(second).toEqual({
        __typename: "ResourceBusyError",
        message: expect.stringContaining(orderId),
        code: "RESOURCE_BUSY",
        failedStep: null,
        runId: null,
        entity: "order",
        resourceId: orderId,
      });
      expect(app.payment.charges()).toHaveLength(chargesBefore);
      expect(await first).toMatchObject({ __typename: "OrderCheckoutSuccess" });
      expect(await app.stockOf(sku)).toBe(3);
      const runs = (await app.store.listRuns({ take: 500 })).filter((run) => run.resourceId === orderId);
      expect(runs).toHaveLength(1);
    } finally {
      app.runtime.resourceWaitMs = undefined;
    }
  });

  test("a second checkout within the wait bound waits for the first run and reads the order as that run left it", async () => {
    const { orderId, sku } = await app.newOrder({ stock: 5, quantity: 2 });
    const { first } = await holdWithSlowCheckout(orderId);

    const second = await checkout(orderId, "pm_card_visa");

    expect(await first).toMatchObject({ __typename: "OrderCheckoutSuccess", order: { status: "completed" } });
    // Read after the hold: the order is already completed, so the second run stops at its first step.
    expect(second).toMatchObject({
      __typename: "StepFailedError",
      failedStep: "reserve-inventory",
      message: expect.stringContaining("completed, not pending"),
    });
    expect(await app.stockOf(sku)).toBe(3);
  });

  test("of eight concurrent checkouts of one order exactly one charges; the others wait and find it completed", async () => {
    const { orderId, sku } = await app.newOrder({ stock: 5, quantity: 2 });
    const chargesBefore = app.payment.charges().length;

    const outcomes = await Promise.all(Array.from({ length: 8 }, () => checkout(orderId, "pm_card_visa")));

    const kinds = outcomes.map((o) =>
      o.__typename === "OrderCheckoutSuccess" ? "success" : `${o.__typename}:${String(o.failedStep)}`,
    );
    expect(kinds.filter((k) => k === "success")).toHaveLength(1);
    expect(new Set(kinds.filter((k) => k !== "success"))).toEqual(new Set(["StepFailedError:reserve-inventory"]));
    expect(app.payment.charges().length - chargesBefore).toBe(1);
    expect(await app.stockOf(sku)).toBe(3);
  });

  test("checkouts of different orders do not wait for each other", async () => {
    const a = await app.newOrder();
    const b = await app.newOrder();
    app.runtime.resourceWaitMs = 0;
    try {
      const { first } = await holdWithSlowCheckout(a.orderId);
      expect(await checkout(b.orderId, "pm_card_visa")).toMatchObject({ __typename: "OrderCheckoutSuccess" });
      expect(await first).toMatchObject({ __typename: "OrderCheckoutSuccess" });
    } finally {
      app.runtime.resourceWaitMs = undefined;
    }
  });
});
