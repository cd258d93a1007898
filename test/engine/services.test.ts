/**
 * `ctx.resolve(name)` hands steps the services passed to the run. A missing one fails the step with an
 * error that names it, instead of an `undefined` blowing up somewhere later.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runWorkflow, ServiceNotFoundError, ServiceRegistry, step } from "../../src/index.ts";
import { silentLogger } from "../../src/engine/logger.ts";
import { createSqliteTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

class PaymentService {
  readonly refunds: string[] = [];
  charge(amount: number) {
    return { id: `ch_${amount}` };
  }
  refund(id: string) {
    this.refunds.push(id);
  }
}

describe("services", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createSqliteTestDatabase();
  });
  afterAll(() => db?.close());

  test("resolves a service passed as a plain map", async () => {
    const payments = new PaymentService();
    const outcome = await runWorkflow(
      db.driver,
      "map",
      [step("charge", (ctx) => ctx.resolve<PaymentService>("payments").charge(30))],
      {
        services: { payments },
      },
    );

    expect(outcome).toMatchObject({ ok: true, result: { id: "ch_30" } });
  });

  test("resolves a service from a ServiceRegistry", async () => {
    const registry = new ServiceRegistry().register("payments", new PaymentService());
    const outcome = await runWorkflow(
      db.driver,
      "registry",
      [step("charge", (ctx) => ctx.resolve<PaymentService>("payments").charge(5))],
      {
        services: registry,
      },
    );

    expect(outcome).toMatchObject({ ok: true, result: { id: "ch_5" } });
  });

  test("returns the very instance that was registered", async () => {
    const payments = new PaymentService();
    const outcome = await runWorkflow(db.driver, "same", [step("get", (ctx) => ctx.resolve("payments") === payments)], {
      services: { payments },
    });

    expect(outcome).toMatchObject({ ok: true, result: true });
  });

  test("lets compensations resolve services too", async () => {
    const payments = new PaymentService();
    await runWorkflow(
      db.driver,
      "undo-with-service",
      [
        step(
          "charge",
          (ctx) => ctx.resolve<PaymentService>("payments").charge(10),
          (ctx, charge) => ctx.resolve<PaymentService>("payments").refund(charge.id),
        ),
        step("ship", () => {
          throw new Error("Shipping refused");
        }),
      ],
      { services: { payments }, logger: silentLogger },
    );

    expect(payments.refunds).toEqual(["ch_10"]);
  });

  test("fails the step with a message naming the missing service and the registered ones", async () => {
    const outcome = await runWorkflow(
      db.driver,
      "missing",
      [
        step(
          "reserve",
          () => "res",
          () => {},
        ),
        step("charge", (ctx) => ctx.resolve("stripeService")),
      ],
      { services: { inventoryService: {}, shippingService: {} }, logger: silentLogger },
    );

    expect(outcome).toMatchObject({
      ok: false,
      failedStep: "charge",
      compensatedSteps: ["reserve"],
      cause: { name: "ServiceNotFoundError", code: "SERVICE_NOT_FOUND" },
    });
    expect(outcome.ok === false && outcome.error).toContain('"stripeService"');
    expect(outcome.ok === false && outcome.error).toContain("inventoryService, shippingService");
  });

  test("says no services are registered when the run got none", async () => {
    const outcome = await runWorkflow(db.driver, "none", [step("charge", (ctx) => ctx.resolve("stripeService"))], {
      logger: silentLogger,
    });

    expect(outcome.ok === false && outcome.error).toMatch(
      /"stripeService" is not registered \(no services are registered\)/,
    );
  });

  test("resolves a service registered with an undefined value instead of calling it missing", async () => {
    const outcome = await runWorkflow(
      db.driver,
      "undefined-service",
      [step("get", (ctx) => ctx.resolve("optional") ?? "none")],
      {
        services: { optional: undefined },
      },
    );

    expect(outcome).toMatchObject({ ok: true, result: "none" });
  });

  test("throws ServiceNotFoundError, an Error with the service's name", () => {
    const error = new ServiceNotFoundError("mailer", ["payments"]);

    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ serviceName: "mailer", code: "SERVICE_NOT_FOUND" });
  });
});
