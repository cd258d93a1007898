/**
 * Inside an entity action, `ctx.input` is typed from `.input()` and `ctx.resource` from the entity's fields;
 * misuse of either is a compile error, not a runtime surprise.
 */
import { describe, expectTypeOf, test } from "vitest";
import {
  action,
  entity,
  executeWorkflow,
  float,
  int,
  json,
  step,
  string,
  type Driver,
  type EntityRow,
  type JsonValue,
  type WorkflowOutcome,
} from "../../src/index.ts";

declare const driver: Driver;

const order = entity("order", {
  items: string,
  total: float,
  status: string.default("pending"),
  chargeId: string.optional(),
  meta: json.optional(),
}).actions({
  checkout: action()
    .input({ paymentMethodId: string, quantity: int, note: string.optional() })
    .workflow([
      step(
        "charge",
        async (ctx) => {
          expectTypeOf(ctx.input).toEqualTypeOf<{ paymentMethodId: string; quantity: number; note?: string | null }>();
          expectTypeOf(ctx.resource.total).toEqualTypeOf<number>();
          expectTypeOf(ctx.resource.status).toEqualTypeOf<string>();
          expectTypeOf(ctx.resource.chargeId).toEqualTypeOf<string | null>();
          expectTypeOf(ctx.resource.meta).toEqualTypeOf<JsonValue | null>();
          expectTypeOf(ctx.resource.id).toEqualTypeOf<string>();
          expectTypeOf(ctx.resource.createdAt).toEqualTypeOf<Date>();
          expectTypeOf(ctx.resourceId).toEqualTypeOf<string | undefined>();
          return { id: "ch_1", amount: ctx.resource.total };
        },
        async (_ctx, charge) => {
          expectTypeOf(charge).toEqualTypeOf<{ id: string; amount: number }>();
        },
      ),
      step("finalize", async () => ({ success: true as const, chargeId: "ch_1" })),
    ]),
  report: action({ resource: false }).workflow([
    step("count", (ctx) => {
      expectTypeOf(ctx.resource).toEqualTypeOf<undefined>();
      expectTypeOf(ctx.input).toEqualTypeOf<undefined>();
      return 3;
    }),
  ]),
});

describe("action types", () => {
  test("the entity row type comes from the fields", () => {
    expectTypeOf<EntityRow<typeof order>>().toEqualTypeOf<{
      id: string;
      createdAt: Date;
      updatedAt: Date;
      items: string;
      total: number;
      status: string;
      chargeId: string | null;
      meta: JsonValue | null;
    }>();
  });

  test("an action's result is its last step's result", async () => {
    const outcome = await executeWorkflow(driver, order.actionDefinitions.checkout.workflow);
    expectTypeOf(outcome).toEqualTypeOf<WorkflowOutcome<{ success: true; chargeId: string }>>();
    if (outcome.ok) expectTypeOf(outcome.result).toEqualTypeOf<{ success: true; chargeId: string }>();

    const report = await executeWorkflow(driver, order.actionDefinitions.report.workflow);
    if (report.ok) expectTypeOf(report.result).toEqualTypeOf<number>();
  });

  test("action definitions keep their names", () => {
    expectTypeOf(order.actionDefinitions).toHaveProperty("checkout");
    expectTypeOf(order.actionDefinitions).toHaveProperty("report");
    expectTypeOf(order.name).toEqualTypeOf<"order">();
  });

  test("reading a field the entity does not have is a compile error", () => {
    entity("order", { total: float }).actions({
      bad: action().workflow([
        step("read", (ctx) => {
          expectTypeOf(ctx.resource.total).toEqualTypeOf<number>();
          // @ts-expect-error order has no field "discount"
          return ctx.resource.discount;
        }),
      ]),
    });
  });

  test("using an input field as the wrong type is a compile error", () => {
    action()
      .input({ paymentMethodId: string, quantity: int })
      .workflow([
        step("use", (ctx) => {
          expectTypeOf(ctx.input.quantity).toEqualTypeOf<number>();
          // @ts-expect-error paymentMethodId is a string
          const n: number = ctx.input.paymentMethodId;
          // @ts-expect-error there is no input field "amount"
          const amount = ctx.input.amount;
          return [n, amount];
        }),
      ]);
  });

  test("an optional resource field must be checked for null before use", () => {
    entity("order", { chargeId: string.optional() }).actions({
      refund: action().workflow([
        step("refund", (ctx) => {
          // @ts-expect-error chargeId may be null
          const id: string = ctx.resource.chargeId;
          return ctx.resource.chargeId?.toUpperCase() ?? id;
        }),
      ]),
    });
  });

  test("an entity-less action has no resource to read", () => {
    action({ resource: false }).workflow([
      step("read", (ctx) => {
        // @ts-expect-error ctx.resource is undefined for resource: false
        return ctx.resource.total;
      }),
    ]);
  });
});
