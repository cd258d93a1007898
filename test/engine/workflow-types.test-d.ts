/**
 * A workflow's result type is its last step's; `withData` and declared data type `ctx.get` / `ctx.set`.
 */
import { describe, expectTypeOf, test } from "vitest";
import {
  executeWorkflow,
  runWorkflow,
  step,
  workflow,
  type Driver,
  type WorkflowOutcome,
  type WorkflowSuccess,
} from "../../src/index.ts";

declare const driver: Driver;

describe("workflow types", () => {
  test("the builder's result is the last step's result", async () => {
    const definition = workflow("import")
      .step("download", async () => new Uint8Array())
      .step("count", (): number => 3)
      .step("import", async () => ({ imported: 3 }))
      .build();

    const outcome = await executeWorkflow(driver, definition);
    expectTypeOf(outcome).toEqualTypeOf<WorkflowOutcome<{ imported: number }>>();
    if (outcome.ok) {
      expectTypeOf(outcome).toEqualTypeOf<WorkflowSuccess<{ imported: number }>>();
      expectTypeOf(outcome.result).toEqualTypeOf<{ imported: number }>();
    } else {
      expectTypeOf(outcome.code).toEqualTypeOf<"ACTION_ERROR">();
      expectTypeOf(outcome.failedStep).toEqualTypeOf<string | null>();
      expectTypeOf(outcome.compensatedSteps).toEqualTypeOf<string[]>();
      expectTypeOf(outcome.status).toEqualTypeOf<"COMPENSATED" | "FAILED" | "CANCELLED">();
    }
  });

  test("runWorkflow's result is the last step's result", async () => {
    const outcome = await runWorkflow(driver, "shortcut", [
      step("a", () => "x"),
      step("b", async () => ({ done: true })),
    ]);
    if (outcome.ok) expectTypeOf(outcome.result).toEqualTypeOf<{ done: boolean }>();
  });

  test("builder compensations receive their own step's result", () => {
    workflow("undo").step(
      "charge",
      async () => ({ chargeId: "ch_1" }),
      (_ctx, charge) => {
        expectTypeOf(charge).toEqualTypeOf<{ chargeId: string }>();
      },
    );
  });

  test("withData types ctx.get for the keys it seeds", () => {
    workflow("seeded")
      .withData({ batchSize: 100, source: "s3" })
      .step("read", (ctx) => {
        expectTypeOf(ctx.get("batchSize")).toEqualTypeOf<number | undefined>();
        expectTypeOf(ctx.get("source")).toEqualTypeOf<string | undefined>();
        return ctx.get("batchSize");
      });
  });

  test("declared input and data type ctx.input, ctx.get and ctx.set", () => {
    workflow<{ url: string }, { rows: number; checksum: string }>("typed")
      .step("download", (ctx) => {
        expectTypeOf(ctx.input).toEqualTypeOf<{ url: string }>();
        ctx.set("rows", 10);
        ctx.set("checksum", "abc");
        expectTypeOf(ctx.get("rows")).toEqualTypeOf<number | undefined>();
        // @ts-expect-error rows holds a number
        ctx.set("rows", "10");
        // @ts-expect-error no such key was declared
        ctx.set("rowz", 10);
        // @ts-expect-error the input has no "uri"
        return ctx.input.uri;
      })
      .build();
  });

  test("transactional() and withData() keep the result type", async () => {
    const definition = workflow("tx")
      .step("a", () => 1)
      .transactional()
      .withData({ n: 1 })
      .build();
    const outcome = await executeWorkflow(driver, definition);
    if (outcome.ok) expectTypeOf(outcome.result).toEqualTypeOf<number>();
  });
});
