/**
 * `entity(name, fields).actions({...})`: what a definition exposes to the layers built on it (GraphQL,
 * Prisma), and how actions are attached and named.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { action, entity, executeWorkflow, float, int, step, string, type AuthorizeArgs } from "../../src/index.ts";
import { createSqliteTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

const order = entity("order", {
  total: float,
  status: string.default("pending"),
  chargeId: string.optional(),
});

describe("entity definitions", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createSqliteTestDatabase();
  });
  afterAll(() => db?.close());

  test("exposes its name, type name and fields", () => {
    expect(order).toMatchObject({ kind: "entity", name: "order", typeName: "Order", actionDefinitions: {} });
    expect(Object.keys(order.fields)).toEqual(["total", "status", "chargeId"]);
    expect(order.fields.status).toMatchObject({ kind: "string", hasDefault: true, defaultValue: "pending" });
  });

  test("returns a new definition from actions(), leaving the original without them", () => {
    const withCheckout = order.actions({ checkout: action().workflow([step("a", () => 1)]) });

    expect(Object.keys(withCheckout.actionDefinitions)).toEqual(["checkout"]);
    expect(order.actionDefinitions).toEqual({});
    expect(withCheckout.fields).toBe(order.fields);
  });

  test("accumulates actions over several actions() calls", () => {
    const both = order
      .actions({ checkout: action().workflow([step("a", () => 1)]) })
      .actions({ cancel: action().workflow([step("b", () => 2)]) });

    expect(Object.keys(both.actionDefinitions)).toEqual(["checkout", "cancel"]);
    expect(both.actionDefinitions.checkout.workflow.name).toBe("order.checkout");
    expect(both.actionDefinitions.cancel.workflow.name).toBe("order.cancel");
  });

  test("keeps an action's steps and workflow options when naming its workflow", () => {
    const definition = order.actions({
      checkout: action().workflow([step("reserve", () => 1), step("charge", () => 2)], { useTransaction: true }),
    }).actionDefinitions.checkout;

    expect(definition.workflow.steps.map((s) => s.name)).toEqual(["reserve", "charge"]);
    expect(definition.workflow.options).toEqual({ useTransaction: true });
  });

  test("records an action's settings: input fields, resource, description", () => {
    const actions = order.actions({
      checkout: action({ description: "Pay for the order" })
        .input({ paymentMethodId: string, coupon: string.optional() })
        .workflow([step("a", () => 1)]),
      report: action({ resource: false }).workflow([step("b", () => 2)]),
    }).actionDefinitions;

    expect(actions.checkout).toMatchObject({ kind: "action", hasResource: true, description: "Pay for the order" });
    expect(Object.keys(actions.checkout.inputFields ?? {})).toEqual(["paymentMethodId", "coupon"]);
    expect(actions.report).toMatchObject({ hasResource: false, inputFields: undefined, description: undefined });
  });

  test("keeps an authorize rule whether it comes before or after input()", async () => {
    const onlyAdmins = ({ request }: AuthorizeArgs<unknown>) =>
      (request as { role?: string }).role === "admin" || "admins only";
    const before = action()
      .authorize(onlyAdmins)
      .input({ reason: string })
      .workflow([step("a", () => 1)]);
    const after = action()
      .input({ reason: string })
      .authorize(onlyAdmins)
      .workflow([step("a", () => 1)]);

    expect(before.authorize).toBe(onlyAdmins);
    expect(after.authorize).toBe(onlyAdmins);
    expect(await before.authorize?.({ request: {}, input: { reason: "x" }, resourceId: undefined })).toBe(
      "admins only",
    );
  });

  test("runs an action's workflow on a row loaded from the database", async () => {
    const product = entity("product", {
      sku: string.unique(),
      name: string,
      price: float,
      stock: int.default(0),
    }).actions({
      restock: action()
        .input({ quantity: int })
        .workflow([
          step("add-stock", async (ctx) => {
            await ctx.driver.update(
              "product",
              { id: ctx.resourceId },
              { stock: ctx.resource.stock + ctx.input.quantity },
            );
            return ctx.driver.findOne("product", { id: ctx.resourceId });
          }),
        ]),
    });
    const row = await db.driver.create("product", { sku: "ENT-1", name: "Shelf", price: 30, stock: 2 });

    const outcome = await executeWorkflow(db.driver, product.actionDefinitions.restock.workflow, {
      input: { quantity: 5 },
      resource: row,
      resourceId: row.id as string,
    });

    expect(outcome).toMatchObject({ ok: true, result: { sku: "ENT-1", stock: 7 } });
  });

  test("freezes definitions", () => {
    const withAction = order.actions({ checkout: action().workflow([step("a", () => 1)]) });

    expect(Object.isFrozen(order)).toBe(true);
    expect(Object.isFrozen(withAction.actionDefinitions.checkout)).toBe(true);
  });
});
