/**
 * The reads an action makes outside its run — the idempotency key's run, the row's holder, the row before and
 * after — wait out a connection lost under them, as the run's own writes do: the client gets the run's outcome,
 * not an unexpected error.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { failingEveryOtherRead } from "../helpers/failing-reads.ts";
import { createIdempotencyFixture, type IdempotencyFixture } from "./idempotency-fixture.ts";

describe("an action whose reads outside the run lose their connection", () => {
  let app: IdempotencyFixture;

  beforeAll(async () => {
    app = await createIdempotencyFixture("postgresql");
  });
  afterAll(async () => {
    await app?.close();
  });

  test("waits each read out and answers with the completed run and the row it left", async () => {
    const { driver, store } = app.runtime;
    const rows = failingEveryOtherRead(driver, ["findOne"]);
    const journal = failingEveryOtherRead(store, ["findRunByIdempotencyKey", "findRunHolding", "getRun"]);
    app.runtime.driver = rows.target;
    app.runtime.store = journal.target;
    try {
      const { orderId } = await app.newOrder();

      const first = await app.checkout({
        id: orderId,
        input: { paymentMethodId: "pm_card_visa" },
        idempotencyKey: "transient-reads-1",
      });
      const again = await app.checkout({
        id: orderId,
        input: { paymentMethodId: "pm_card_visa" },
        idempotencyKey: "transient-reads-1",
      });

      expect(first).toMatchObject({ replayed: false, resource: { id: orderId, status: "completed" } });
      expect(again).toMatchObject({
        replayed: true,
        runId: first.runId,
        resource: { id: orderId, status: "completed" },
      });
      // Before and after the first run, after the replay: each row read failed once first.
      expect(rows.failures).toBe(3);
      // The key's look-up, twice, and the row's holder once.
      expect(journal.failures).toBe(3);
      expect(app.payment.charges().filter((charge) => charge.idempotencyKey.startsWith(first.runId))).toHaveLength(1);
    } finally {
      app.runtime.driver = driver;
      app.runtime.store = store;
    }
  });

  test("fails at once on a read error that cannot pass", async () => {
    const { driver } = app.runtime;
    const refusal = Object.assign(new Error("permission denied for table order"), { code: "42501" });
    app.runtime.driver = new Proxy(driver, {
      get: (object, property) =>
        property === "findOne" ? () => Promise.reject(refusal) : (Reflect.get(object, property, object) as unknown),
    });
    try {
      const { orderId } = await app.newOrder();
      const started = Date.now();
      await expect(app.checkout({ id: orderId, input: { paymentMethodId: "pm_card_visa" } })).rejects.toBe(refusal);
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      app.runtime.driver = driver;
    }
  });
});
