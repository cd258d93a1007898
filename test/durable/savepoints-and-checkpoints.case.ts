import { expect, onTestFinished, test } from "vitest";
import { defineWorkflow, step, type StepContext } from "../../src/index.ts";
import { executeWorkflow } from "../../src/engine/execution/execute-workflow.ts";
import { silentLogger } from "../../src/engine/logger.ts";
import type { TestDatabase } from "../helpers/test-database.ts";

type Db = TestDatabase<unknown>;

async function open(createDatabase: () => Promise<Db>): Promise<Db> {
  const db = await createDatabase();
  onTestFinished(() => db.close());
  return db;
}

export function savepointAndCheckpointCases(createDatabase: () => Promise<Db>): void {
  test("a retried database step in a transactional run gets a savepoint per attempt: a failed statement does not doom the next attempt", async () => {
    const db = await open(createDatabase);
    await db.driver.create("user", { email: "taken@x", name: "First" });
    const register = step(
      "register",
      async (ctx: StepContext) =>
        ctx.driver.create("user", { email: ctx.attempt === 1 ? "taken@x" : "free@x", name: `attempt ${ctx.attempt}` }),
      null,
      { effect: "database", retry: { maxAttempts: 2 } },
    );
    const confirm = step(
      "confirm",
      async (ctx: StepContext) => (await ctx.driver.findMany("user", { where: { email: "free@x" } })).length,
    );
    const definition = defineWorkflow("register", [register, confirm], { useTransaction: true });

    const outcome = await executeWorkflow(db.driver, definition, { logger: silentLogger });

    expect(outcome).toMatchObject({ ok: true, result: 1 });
    expect((await db.driver.findMany("user", {})).map((u) => u.email).sort()).toEqual(["free@x", "taken@x"]);
  });

  test("a step checkpoint is written once: a second writer of the same key is told so and its transaction rolls back", async () => {
    const db = await open(createDatabase);
    const first = await db.driver.transaction(async (tx) => {
      await tx.create("user", { email: "one@x", name: "One" });
      return tx.writeStepCheckpoint("run-1", "step:a", { result: { n: 1 }, data: {} });
    });
    const second = await db.driver
      .transaction(async (tx) => {
        await tx.create("user", { email: "two@x", name: "Two" });
        if (!(await tx.writeStepCheckpoint("run-1", "step:a", { result: { n: 2 }, data: {} })))
          throw new Error("duplicate");
        return true;
      })
      .catch((error: Error) => error.message);

    expect([first, second]).toEqual([true, "duplicate"]);
    expect(await db.driver.readStepCheckpoint("run-1", "step:a")).toEqual({ output: { result: { n: 1 }, data: {} } });
    expect(await db.driver.readStepCheckpoint("run-1", "step:b")).toBeNull();
    expect((await db.driver.findMany("user", {})).map((u) => u.email)).toEqual(["one@x"]);
  });
}
