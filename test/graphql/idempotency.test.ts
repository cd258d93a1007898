import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Provider } from "../helpers/fresh-database.ts";
import { retryUntil } from "../helpers/retry-until.ts";
import { createIdempotencyFixture, type IdempotencyFixture } from "../action/idempotency-fixture.ts";

const CHECKOUT = /* GraphQL */ `
  mutation ($id: ID!, $input: OrderCheckoutInput!, $idempotencyKey: String) {
    orderCheckout(id: $id, input: $input, idempotencyKey: $idempotencyKey) {
      __typename
      ... on OrderCheckoutSuccess {
        runId
        replayed
        result
        order {
          status
        }
      }
      ... on WorkflowError {
        message
        code
        failedStep
        compensatedSteps
        failedRunId: runId
      }
      ... on StepFailedError {
        causeCode
        attempts
      }
      ... on RunInProgressError {
        idempotencyKey
      }
      ... on IdempotencyConflictError {
        idempotencyKey
        mismatch
      }
      ... on ValidationError {
        problems {
          field
          message
        }
      }
    }
  }
`;

type Outcome = Record<string, unknown> & { __typename: string };

describe.each<Provider>(["sqlite", "postgresql"])(
  "orderCheckout with an idempotencyKey, through GraphQL (%s)",
  (provider) => {
    let app: IdempotencyFixture;
    let keys = 0;
    const newKey = () => `gql-${provider}-${Date.now()}-${++keys}`;

    beforeAll(async () => {
      app = await createIdempotencyFixture(provider, { slowCardMs: 400 });
    });
    afterAll(async () => {
      await app?.close();
    });

    async function checkout(variables: {
      id: string;
      paymentMethodId: string;
      idempotencyKey?: string;
    }): Promise<Outcome> {
      const { id, paymentMethodId, idempotencyKey } = variables;
      const response = await app.gql<{ orderCheckout: Outcome }>(CHECKOUT, {
        id,
        input: { paymentMethodId },
        idempotencyKey,
      });
      expect(response.errors).toBeUndefined();
      return response.data!.orderCheckout;
    }

    test("replays a completed checkout as OrderCheckoutSuccess with the same runId and result, replayed: true", async () => {
      const { orderId } = await app.newOrder();
      const request = { id: orderId, paymentMethodId: "pm_card_visa", idempotencyKey: newKey() };

      const first = await checkout(request);
      const second = await checkout(request);

      expect(first).toMatchObject({
        __typename: "OrderCheckoutSuccess",
        replayed: false,
        order: { status: "completed" },
      });
      expect(second).toEqual({ ...first, replayed: true });
    });

    test("replays a declined checkout as the same StepFailedError", async () => {
      const { orderId } = await app.newOrder();
      const request = { id: orderId, paymentMethodId: "pm_card_chargeDeclined", idempotencyKey: newKey() };

      const first = await checkout(request);
      const second = await checkout(request);

      expect(first).toMatchObject({
        __typename: "StepFailedError",
        code: "ACTION_ERROR",
        failedStep: "charge-payment",
        causeCode: "PAYMENT_DECLINED",
      });
      expect(second).toEqual(first);
    });

    test("answers IdempotencyConflictError, a WorkflowError naming the first run, for the same key with another input", async () => {
      const { orderId } = await app.newOrder();
      const idempotencyKey = newKey();
      const first = await checkout({ id: orderId, paymentMethodId: "pm_card_visa", idempotencyKey });

      const conflict = await checkout({ id: orderId, paymentMethodId: "pm_card_flaky", idempotencyKey });

      expect(conflict).toEqual({
        __typename: "IdempotencyConflictError",
        message: expect.stringContaining(idempotencyKey),
        code: "IDEMPOTENCY_CONFLICT",
        failedStep: null,
        compensatedSteps: [],
        failedRunId: first.runId,
        idempotencyKey,
        mismatch: "INPUT",
      });
    });

    test("answers RunInProgressError, a WorkflowError naming the run, when the run outlasts the wait", async () => {
      const { orderId } = await app.newOrder();
      const idempotencyKey = newKey();
      const waitBefore = app.runtime.idempotencyWaitMs;
      app.runtime.idempotencyWaitMs = 20;
      try {
        const firstCall = checkout({ id: orderId, paymentMethodId: "pm_card_slow", idempotencyKey });
        // Once the slow charge is under way, the run has its whole slow-card delay left: longer than the wait.
        const started = await retryUntil(async () => {
          const found = await app.store.findRunByIdempotencyKey("order.checkout", idempotencyKey);
          return found?.run.steps[1]?.status === "RUNNING" ? found : undefined;
        });

        const waiting = await checkout({ id: orderId, paymentMethodId: "pm_card_slow", idempotencyKey });

        expect(waiting).toEqual({
          __typename: "RunInProgressError",
          message: expect.stringContaining("in progress"),
          code: "RUN_IN_PROGRESS",
          failedStep: null,
          compensatedSteps: [],
          failedRunId: started.run.id,
          idempotencyKey,
        });
        expect(await firstCall).toMatchObject({ __typename: "OrderCheckoutSuccess", runId: started.run.id });
      } finally {
        app.runtime.idempotencyWaitMs = waitBefore;
      }
    });

    test("answers ValidationError on idempotencyKey for an empty key", async () => {
      const { orderId } = await app.newOrder();
      const refused = await checkout({ id: orderId, paymentMethodId: "pm_card_visa", idempotencyKey: "" });
      expect(refused).toMatchObject({
        __typename: "ValidationError",
        code: "VALIDATION_ERROR",
        problems: [{ field: "idempotencyKey" }],
      });
    });
  },
);
