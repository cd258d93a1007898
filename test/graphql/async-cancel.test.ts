/**
 * A run started with `async: true` and cancelled at once, through GraphQL on SQLite and PostgreSQL, many times:
 * the start answered once the run was journaled, so the cancel always finds it; it ends COMPLETED (the cancel is
 * told it already ended, or got past its pivot) or CANCELLED with its stock back and no charge standing.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { isTerminalStatus } from "../../src/engine/journal/durable-run-journal.ts";
import type { Provider } from "../helpers/fresh-database.ts";
import { retryUntil } from "../helpers/retry-until.ts";
import { createIdempotencyFixture, type IdempotencyFixture } from "../action/idempotency-fixture.ts";

const CHECKOUT = /* GraphQL */ `
  mutation ($id: ID!, $input: OrderCheckoutInput!) {
    orderCheckout(id: $id, input: $input, async: true) {
      __typename
      ... on OrderCheckoutStarted {
        runId
      }
    }
  }
`;
const CANCEL = /* GraphQL */ `
  mutation ($id: ID!) {
    workflowRunCancel(id: $id) {
      id
      status
    }
  }
`;
const RACES = 12;

describe.each<Provider>(["sqlite", "postgresql"])("cancelling an async run right after its start (%s)", (provider) => {
  let app: IdempotencyFixture;
  beforeAll(async () => {
    app = await createIdempotencyFixture(provider, { slowCardMs: 30 });
  });
  afterAll(async () => {
    await app?.close();
  });

  test(`${RACES} starts each cancelled at once: COMPLETED untouched, or CANCELLED with stock back and nothing charged`, async () => {
    const ends = { COMPLETED: 0, CANCELLED: 0 };
    for (let race = 0; race < RACES; race += 1) {
      const { orderId, sku } = await app.newOrder({ stock: 5, quantity: 2 });
      const started = await app.gql<{ orderCheckout: { __typename: string; runId: string } }>(CHECKOUT, {
        id: orderId,
        input: { paymentMethodId: race % 2 === 0 ? "pm_card_visa" : "pm_card_slow" },
      });
      expect(started.data?.orderCheckout.__typename).toBe("OrderCheckoutStarted");
      const runId = started.data!.orderCheckout.runId;
      const cancel = await app.gql<{ workflowRunCancel: { status: string } | null }>(CANCEL, { id: runId });
      expect(cancel.errors?.[0]?.extensions?.code).not.toBe("RUN_NOT_FOUND");
      // Past its pivot (the parcel shipped) the run only goes forward: the cancel is refused and the run completes.
      const pastPivot = cancel.errors?.[0]?.extensions?.code === "RUN_PAST_PIVOT";
      const run = await retryUntil(
        async () => {
          const found = (await app.store.getRun(runId))!;
          return isTerminalStatus(found.status) ? found : undefined;
        },
        { what: `run ${runId} to end` },
      );
      const charges = app.payment.charges().filter((charge) => charge.idempotencyKey.startsWith(`${runId}:`));
      if (cancel.data?.workflowRunCancel) {
        expect(cancel.data.workflowRunCancel.status).toBe("CANCELLED");
        expect(run.status).toBe("CANCELLED");
        expect(await app.stockOf(sku)).toBe(5);
        expect(charges.every((charge) => charge.refunded)).toBe(true);
      } else {
        expect(cancel.errors?.[0]?.extensions).toMatchObject(
          pastPivot ? { code: "RUN_PAST_PIVOT" } : { code: "RUN_ALREADY_ENDED", status: "COMPLETED" },
        );
        expect(run.status).toBe("COMPLETED");
        expect(await app.stockOf(sku)).toBe(3);
        expect(charges.filter((charge) => !charge.refunded)).toHaveLength(1);
      }
      ends[run.status as keyof typeof ends] += 1;
    }
    expect(ends.CANCELLED).toBeGreaterThan(0);
  }, 120_000);
});
