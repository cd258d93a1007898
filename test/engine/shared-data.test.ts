/**
 * Steps share data through `ctx.set` / `ctx.get`: what one step stores, later steps and every compensation
 * can read. `withData` / `initialData` / the `data` option seed it, fresh for every run.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { executeWorkflow, runWorkflow, step, workflow } from "../../src/index.ts";
import { silentLogger } from "../../src/engine/logger.ts";
import { createSqliteTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

describe("shared data", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createSqliteTestDatabase();
  });
  afterAll(() => db?.close());

  test("lets later steps read what an earlier step stored", async () => {
    const outcome = await runWorkflow(db.driver, "set-get", [
      step("create-user", async (ctx) => {
        const user = await ctx.driver.create("user", { email: "data@x", name: "Dana" });
        ctx.set("userId", user.id);
      }),
      step("load-user", async (ctx) => ctx.driver.findOne("user", { id: ctx.get("userId") })),
    ]);

    expect(outcome).toMatchObject({ ok: true, result: { email: "data@x", name: "Dana" } });
  });

  test("lets compensations read data, including what later steps stored", async () => {
    const seen: unknown[] = [];
    await runWorkflow(
      db.driver,
      "data-in-undo",
      [
        step(
          "reserve",
          (ctx) => ctx.set("reservationId", "res_1"),
          (ctx) => void seen.push(["reserve", ctx.get("reservationId"), ctx.get("chargeId")]),
        ),
        step(
          "charge",
          (ctx) => ctx.set("chargeId", "ch_1"),
          (ctx) => void seen.push(["charge", ctx.get("chargeId")]),
        ),
        step("ship", () => {
          throw new Error("Shipping refused");
        }),
      ],
      { logger: silentLogger },
    );

    expect(seen).toEqual([
      ["charge", "ch_1"],
      ["reserve", "res_1", "ch_1"],
    ]);
  });

  test("returns undefined for a key nobody set", async () => {
    const outcome = await runWorkflow(db.driver, "missing-key", [
      step("read", (ctx) => ctx.get("never-set") ?? "absent"),
    ]);

    expect(outcome).toMatchObject({ ok: true, result: "absent" });
  });

  test("lets a later set overwrite an earlier one", async () => {
    const outcome = await runWorkflow(db.driver, "overwrite", [
      step("a", (ctx) => ctx.set("status", "reserved")),
      step("b", (ctx) => ctx.set("status", "charged")),
      step("c", (ctx) => ctx.get("status")),
    ]);

    expect(outcome).toMatchObject({ ok: true, result: "charged", data: { status: "charged" } });
  });

  test("seeds the data with withData, readable from the first step", async () => {
    const definition = workflow("import-data")
      .withData({ batchSize: 100 })
      .step("download", (ctx) => ctx.get("batchSize"))
      .build();

    const outcome = await executeWorkflow(db.driver, definition);

    expect(outcome).toMatchObject({ ok: true, result: 100, data: { batchSize: 100 } });
  });

  test("seeds the data with runWorkflow's initialData", async () => {
    const outcome = await runWorkflow(db.driver, "import-data", [step("download", (ctx) => ctx.get("batchSize"))], {
      initialData: { batchSize: 100 },
    });

    expect(outcome).toMatchObject({ ok: true, result: 100 });
  });

  test("merges the data option over the workflow's own data, for that run only", async () => {
    const definition = workflow("layered")
      .withData({ batchSize: 100, source: "s3" })
      .step("read", (ctx) => [ctx.get("batchSize"), ctx.get("source"), ctx.get("dryRun")])
      .build();

    const overridden = await executeWorkflow(db.driver, definition, { data: { batchSize: 5, dryRun: true } });
    const plain = await executeWorkflow(db.driver, definition);

    expect(overridden).toMatchObject({ ok: true, result: [5, "s3", true] });
    expect(plain).toMatchObject({ ok: true, result: [100, "s3", undefined] });
  });

  test("starts every run from the initial data, whatever earlier runs stored", async () => {
    const definition = workflow("fresh")
      .withData({ count: 0 })
      .step("bump", (ctx) => {
        ctx.set("count", (ctx.get("count") as number) + 1);
        return ctx.get("count");
      })
      .build();

    const first = await executeWorkflow(db.driver, definition);
    const second = await executeWorkflow(db.driver, definition);

    expect([first.ok && first.result, second.ok && second.result]).toEqual([1, 1]);
    expect(definition.initialData).toEqual({ count: 0 });
  });

  test("does not change the object passed as the data option", async () => {
    const seed = { tenant: "acme" };
    await runWorkflow(db.driver, "no-mutation", [step("a", (ctx) => ctx.set("extra", 1))], { initialData: seed });

    expect(seed).toEqual({ tenant: "acme" });
  });

  test("keeps data of concurrent runs apart", async () => {
    const definition = workflow<{ id: number }>("concurrent")
      .step("store", async (ctx) => {
        ctx.set("id", ctx.input.id);
        await ctx.driver.count("product");
      })
      .step("read", (ctx) => ctx.get("id"))
      .build();

    const outcomes = await Promise.all(
      [1, 2, 3, 4].map((id) => executeWorkflow(db.driver, definition, { input: { id } })),
    );

    expect(outcomes.map((outcome) => outcome.ok && outcome.result)).toEqual([1, 2, 3, 4]);
  });
});
