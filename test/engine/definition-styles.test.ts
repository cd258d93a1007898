/**
 * The three ways to define a workflow — the fluent builder, `runWorkflow` with a step list, and an entity
 * action's `.workflow()` — run the same steps the same way: same results, same failures, same compensations.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import {
  action,
  boolean,
  executeWorkflow,
  int,
  runWorkflow,
  step,
  string,
  workflow,
  type StepContext,
  type WorkflowOutcome,
} from "../../src/index.ts";
import { silentLogger } from "../../src/engine/logger.ts";
import { product } from "../fixtures/entities.ts";
import { createSqliteTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

interface Input {
  sku: string;
  quantity: number;
  fail: boolean;
}

class Payments {
  readonly log: string[] = [];
  charge(amount: number): string {
    this.log.push(`charge ${amount}`);
    return `ch_${this.log.length}`;
  }
  refund(id: string): void {
    this.log.push(`refund ${id}`);
  }
}

// The step bodies, shared by all three styles.
const reserve = async (ctx: StepContext<Input>) => {
  await ctx.driver.updateMany("product", { sku: ctx.input.sku }, { stock: { decrement: ctx.input.quantity } });
  ctx.set("reserved", ctx.input.quantity);
  return { sku: ctx.input.sku, quantity: ctx.input.quantity };
};
const release = async (ctx: StepContext<Input>, reservation: { sku: string; quantity: number }) => {
  await ctx.driver.updateMany("product", { sku: reservation.sku }, { stock: { increment: reservation.quantity } });
};
const charge = (ctx: StepContext<Input>) => {
  const id = ctx.resolve<Payments>("payments").charge(ctx.input.quantity * 10);
  ctx.set("chargeId", id);
  return id;
};
const refund = (ctx: StepContext<Input>, id: string) => ctx.resolve<Payments>("payments").refund(id);
const notify = (ctx: StepContext<Input>) => `notified about ${ctx.get("reserved")}`;
const finalize = (ctx: StepContext<Input>) => {
  if (ctx.input.fail) throw new Error("Finalize failed");
  return { success: true, chargeId: ctx.get("chargeId") as string };
};

const builderDefinition = workflow<Input>("checkout")
  .step("reserve", reserve, release)
  .step("charge", charge, refund)
  .step("notify", notify)
  .step("finalize", finalize)
  .build();

const listSteps = [
  step("reserve", reserve, release),
  step("charge", charge, refund),
  step("notify", notify),
  step("finalize", finalize),
] as const;

const shop = product.actions({
  checkout: action()
    .input({ sku: string, quantity: int, fail: boolean })
    .workflow([
      step("reserve", reserve, release),
      step("charge", charge, refund),
      step("notify", notify),
      step("finalize", finalize),
    ]),
});

type Style = "builder" | "runWorkflow" | "action";

describe("definition styles", () => {
  let db: TestDatabase;
  let payments: Payments;

  beforeAll(async () => {
    db = await createSqliteTestDatabase();
  });
  afterAll(() => db?.close());
  beforeEach(() => {
    payments = new Payments();
  });

  async function run(style: Style, sku: string, fail: boolean): Promise<WorkflowOutcome<unknown>> {
    const row = await db.driver.create("product", { sku, name: "Widget", price: 10, stock: 10 });
    const input: Input = { sku, quantity: 3, fail };
    // Every style runs on the same resource, so the outcomes can be compared field by field.
    const common = {
      input,
      resource: row,
      resourceId: row.id as string,
      services: { payments },
      logger: silentLogger,
      runId: `run-${sku}`,
    };
    switch (style) {
      case "builder":
        return executeWorkflow(db.driver, builderDefinition, common);
      case "runWorkflow":
        return runWorkflow(db.driver, "checkout", listSteps, common);
      case "action":
        return executeWorkflow(db.driver, shop.actionDefinitions.checkout.workflow, common);
    }
  }

  const styles: Style[] = ["builder", "runWorkflow", "action"];

  test("all three succeed with the same result and the same effects", async () => {
    const outcomes = [];
    for (const style of styles) {
      payments = new Payments();
      const outcome = await run(style, `STYLE-OK-${style}`, false);
      outcomes.push({ ...outcome, runId: undefined, effects: payments.log });
      expect(await db.driver.findOne("product", { sku: `STYLE-OK-${style}` })).toMatchObject({ stock: 7 });
    }

    expect(outcomes[0]).toEqual({
      ok: true,
      status: "COMPLETED",
      runId: undefined,
      result: { success: true, chargeId: "ch_1" },
      data: { reserved: 3, chargeId: "ch_1" },
      effects: ["charge 30"],
    });
    expect(outcomes[1]).toEqual(outcomes[0]);
    expect(outcomes[2]).toEqual(outcomes[0]);
  });

  test("all three fail the same way and compensate the same steps", async () => {
    const outcomes = [];
    for (const style of styles) {
      payments = new Payments();
      const outcome = await run(style, `STYLE-FAIL-${style}`, true);
      outcomes.push({ ...outcome, runId: undefined, effects: payments.log });
      expect(await db.driver.findOne("product", { sku: `STYLE-FAIL-${style}` })).toMatchObject({ stock: 10 });
    }

    expect(outcomes[0]).toMatchObject({
      ok: false,
      status: "COMPENSATED",
      error: "Finalize failed",
      code: "ACTION_ERROR",
      failedStep: "finalize",
      compensatedSteps: ["charge", "reserve"],
      uncompensatedSteps: ["notify"],
      effects: ["charge 30", "refund ch_1"],
    });
    expect(outcomes[1]).toEqual(outcomes[0]);
    expect(outcomes[2]).toEqual(outcomes[0]);
  });

  test("names an action's workflow <entity>.<action>", () => {
    expect(shop.actionDefinitions.checkout.workflow.name).toBe("product.checkout");
    expect(builderDefinition.name).toBe("checkout");
  });

  test("an action's steps see the row it runs on as ctx.resource", async () => {
    const row = await db.driver.create("product", { sku: "STYLE-RES", name: "Lamp", price: 25, stock: 4 });
    const withResource = product.actions({
      describe: action().workflow([
        step("read", (ctx) => `${ctx.resource.name} costs ${ctx.resource.price}, ${ctx.resource.stock} left`),
      ]),
    });

    const outcome = await executeWorkflow(db.driver, withResource.actionDefinitions.describe.workflow, {
      resource: row,
      resourceId: row.id as string,
    });

    expect(outcome).toMatchObject({ ok: true, result: "Lamp costs 25, 4 left" });
  });

  test("withData and initialData seed the same shared data", async () => {
    const viaBuilder = workflow("seeded")
      .withData({ batchSize: 100 })
      .step("read", (ctx) => ctx.get("batchSize"))
      .build();
    const a = await executeWorkflow(db.driver, viaBuilder);
    const b = await runWorkflow(db.driver, "seeded", [step("read", (ctx) => ctx.get("batchSize"))], {
      initialData: { batchSize: 100 },
    });

    expect({ ...a, runId: null }).toEqual({ ...b, runId: null });
  });

  test("transactional() and useTransaction: true set the same option", () => {
    const viaBuilder = workflow("tx")
      .step("a", () => 1)
      .transactional()
      .build();
    const viaAction = action().workflow([step("a", () => 1)], { useTransaction: true });

    expect(viaBuilder.options.useTransaction).toBe(true);
    expect(viaAction.workflow.options.useTransaction).toBe(true);
  });
});
