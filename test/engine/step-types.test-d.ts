/**
 * A step's compensation receives what its `execute` returned, typed; step results flow into the workflow's
 * result type.
 */
import { describe, expectTypeOf, test } from "vitest";
import { step, workflow, type Step, type StepContext, type StepOutput } from "../../src/index.ts";

describe("step types", () => {
  test("compensate's second parameter is execute's resolved return value", () => {
    step(
      "charge",
      async () => ({ id: "ch_1", amount: 30 }),
      async (_ctx, charge) => {
        expectTypeOf(charge).toEqualTypeOf<{ id: string; amount: number }>();
      },
    );
    step(
      "sync",
      () => 42,
      (_ctx, value) => {
        expectTypeOf(value).toEqualTypeOf<number>();
      },
    );
  });

  test("a step's output type is execute's resolved return value", () => {
    const charge = step("charge", async () => ({ id: "ch_1" }));
    expectTypeOf(charge).toEqualTypeOf<Step<StepContext, { id: string }>>();
    expectTypeOf<StepOutput<typeof charge>>().toEqualTypeOf<{ id: string }>();
    expectTypeOf<StepOutput<Step<StepContext, Promise<number>>>>().toEqualTypeOf<number>();
  });

  test("using the compensation's result as something else is a compile error", () => {
    step(
      "charge",
      async () => ({ id: "ch_1" }),
      async (_ctx, charge) => {
        // @ts-expect-error the charge has no refundId
        return charge.refundId;
      },
    );
    step(
      "reserve",
      () => "res_1",
      (_ctx, reservation) => {
        // @ts-expect-error the reservation is a string, not a number
        const n: number = reservation;
        return n;
      },
    );
  });

  test("a compensation expecting a different result type is a compile error", () => {
    step(
      "charge",
      async () => ({ id: "ch_1" }),
      // @ts-expect-error execute returns { id: string }, not a number
      async (_ctx, charge: number) => charge,
    );
  });

  test("a step declared for a typed context reads its input typed", () => {
    step("typed", (ctx: StepContext<{ orderId: string }>) => {
      expectTypeOf(ctx.input.orderId).toEqualTypeOf<string>();
      // @ts-expect-error no such input field
      return ctx.input.orderID;
    });
  });

  test("the context exposes the documented members", () => {
    step("ctx", (ctx) => {
      expectTypeOf(ctx.resourceId).toEqualTypeOf<string | undefined>();
      expectTypeOf(ctx.runId).toEqualTypeOf<string>();
      expectTypeOf(ctx.idempotencyKey).toEqualTypeOf<string>();
      expectTypeOf(ctx.attempt).toEqualTypeOf<number>();
      expectTypeOf(ctx.resolve<{ charge(): void }>("payments")).toEqualTypeOf<{ charge(): void }>();
      // @ts-expect-error the context is read-only
      ctx.attempt = 2;
    });
  });

  test("steps and compensations get an AbortSignal, read-only", () => {
    step(
      "fetch",
      async (ctx) => {
        expectTypeOf(ctx.signal).toEqualTypeOf<AbortSignal>();
        // @ts-expect-error the signal is the engine's to replace, not the step's
        ctx.signal = new AbortController().signal;
        return fetch("http://127.0.0.1:1/", { signal: ctx.signal });
      },
      (ctx) => {
        expectTypeOf(ctx.signal).toEqualTypeOf<AbortSignal>();
      },
    );
    workflow("typed").step("s", (ctx) => expectTypeOf(ctx.signal).toEqualTypeOf<AbortSignal>());
  });
});
