import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { order } from "../../examples/checkout/entities.ts";
import { ValidationError } from "../../src/action/action-errors.ts";
import { runAction, type ActionRuntime } from "../../src/action/run-action.ts";
import { ADMIN_REQUEST } from "../helpers/checkout-tokens.ts";
import { IdempotencyKeyConflictError } from "../../src/engine/errors.ts";
import { InMemoryRunJournal } from "../../src/engine/journal/in-memory-run-journal.ts";
import type { RunJournal } from "../../src/engine/journal/run-journal.ts";
import { createIdempotencyFixture, type IdempotencyFixture } from "./idempotency-fixture.ts";

let app: IdempotencyFixture;

beforeAll(async () => {
  app = await createIdempotencyFixture("sqlite", { slowCardMs: 100 });
});
afterAll(async () => {
  await app?.close();
});

describe("idempotency keys with InMemoryRunJournal", () => {
  test("runs concurrent and later duplicates once, as the SQL journals do", async () => {
    const runtime: ActionRuntime = { ...app.runtime, store: new InMemoryRunJournal() };
    const { orderId, sku } = await app.newOrder({ stock: 4, quantity: 1 });
    const request = { id: orderId, input: { paymentMethodId: "pm_card_slow" }, idempotencyKey: "memory-1" };

    const concurrent = await Promise.all(
      [1, 2, 3].map(() => runAction(runtime, order, "checkout", { request: ADMIN_REQUEST, ...request })),
    );
    const later = await runAction(runtime, order, "checkout", { request: ADMIN_REQUEST, ...request });

    expect(new Set([...concurrent, later].map((outcome) => outcome.runId)).size).toBe(1);
    expect([...concurrent, later].filter((outcome) => !outcome.replayed)).toHaveLength(1);
    expect(app.payment.charges().filter((charge) => charge.idempotencyKey.startsWith(later.runId))).toHaveLength(1);
    expect(await app.stockOf(sku)).toBe(3);
  });

  test("refuses a second run of a workflow under a taken key, naming the first; other workflows may reuse the key", async () => {
    const store = new InMemoryRunJournal();
    const start = (runId: string, workflow: string) =>
      store.record({
        type: "run-started",
        runId,
        workflow,
        steps: ["a"],
        input: { n: 1 },
        data: {},
        resourceId: undefined,
        transactional: false,
        idempotencyKey: "k",
        at: new Date(),
      });
    await start("run-1", "order.checkout");

    await expect(start("run-2", "order.checkout")).rejects.toBeInstanceOf(IdempotencyKeyConflictError);
    await expect(start("run-2", "order.checkout")).rejects.toMatchObject({
      code: "IDEMPOTENCY_KEY_CONFLICT",
      runId: "run-1",
    });
    await start("run-3", "order.cancel");
    expect((await store.findRunByIdempotencyKey("order.checkout", "k"))?.run.id).toBe("run-1");
    expect((await store.findRunByIdempotencyKey("order.cancel", "k"))?.run.id).toBe("run-3");
    expect(await store.getRun("run-2")).toBeNull();
  });
});

describe("idempotency keys with a run journal that cannot find runs by key", () => {
  test("refuses the key as ValidationError instead of running without the guarantee", async () => {
    const memory = new InMemoryRunJournal();
    const plain: RunJournal = {
      record: (event) => memory.record(event),
      getRun: (id) => memory.getRun(id),
      listRuns: (filter) => memory.listRuns(filter),
    };
    const runtime: ActionRuntime = { ...app.runtime, store: plain };
    const { orderId } = await app.newOrder();
    const chargesBefore = app.payment.charges().length;

    const refused = runAction(runtime, order, "checkout", {
      request: ADMIN_REQUEST,
      id: orderId,
      input: { paymentMethodId: "pm_card_visa" },
      idempotencyKey: "plain-1",
    });

    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    await expect(refused).rejects.toMatchObject({ problems: [{ field: "idempotencyKey" }] });
    expect(app.payment.charges()).toHaveLength(chargesBefore);
    const withoutKey = await runAction(runtime, order, "checkout", {
      request: ADMIN_REQUEST,
      id: orderId,
      input: { paymentMethodId: "pm_card_visa" },
    });
    expect(withoutKey.replayed).toBe(false);
  });
});
