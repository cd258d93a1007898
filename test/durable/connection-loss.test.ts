/**
 * Every connection to the app database killed (`pg_terminate_backend`) while a transactional run is between
 * steps: the run ends as a clean run would — its transaction is replayed, external steps are not called twice.
 */
import { describe, expect, onTestFinished, test } from "vitest";
import { defineWorkflow, step, type StepContext } from "../../src/index.ts";
import { openRunJournal } from "../../src/persistence/open-run-journal.ts";
import { executeWorkflow } from "../../src/engine/execution/execute-workflow.ts";
import type { RunJournal } from "../../src/engine/journal/run-journal.ts";
import { killConnections } from "../helpers/kill-connections.ts";
import { createPostgresTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { RecordingLogger } from "../engine/recording-logger.ts";
import { FakeProvider } from "./fake-provider.ts";

function checkout(db: TestDatabase<unknown>, provider: FakeProvider, killed: number[]) {
  return defineWorkflow(
    "checkout",
    [
      step(
        "reserve",
        async (ctx: StepContext) =>
          ctx.driver.updateMany("account", { owner: "buyer" }, { balance: { increment: 10 } }),
        null,
        { effect: "database" },
      ),
      step("charge", async (ctx: StepContext) => {
        const charge = provider.charge(ctx.idempotencyKey, 10);
        if (killed.length === 0) killed.push(await killConnections(db.url));
        ctx.set("chargeId", charge.id);
        return charge;
      }),
      step(
        "finalize",
        async (ctx: StepContext) => {
          await ctx.driver.updateMany("account", { owner: "buyer" }, { nickname: String(ctx.get("chargeId")) });
          return { chargeId: ctx.get("chargeId") };
        },
        null,
        { effect: "database" },
      ),
    ],
    { useTransaction: true },
  );
}

describe("a transactional run whose database connections are all killed between steps", () => {
  for (const journaled of [false, true]) {
    test(`completes as a clean run would, calling no external step twice (${journaled ? "durable journal" : "no journal"})`, async () => {
      const db = await createPostgresTestDatabase();
      onTestFinished(() => db.close());
      let store: RunJournal | undefined;
      if (journaled) {
        const opened = await openRunJournal(db.url);
        onTestFinished(() => opened.close());
        store = opened;
      }
      await db.driver.create("account", { owner: "buyer", balance: 0 });
      const provider = new FakeProvider();
      const killed: number[] = [];

      const logger = new RecordingLogger();
      const outcome = await executeWorkflow(db.driver, checkout(db, provider, killed), { store, logger });

      expect(killed[0]).toBeGreaterThan(0);
      expect(outcome).toMatchObject({ ok: true, status: "COMPLETED", result: { chargeId: "ch_1" } });
      expect(provider.calls).toBe(1);
      expect(logger.at("warn").map((entry) => entry.message)).toContain(
        "the workflow transaction failed for a reason that can pass; trying it again",
      );
      expect(await db.driver.findOne("account", { owner: "buyer" })).toMatchObject({ balance: 10, nickname: "ch_1" });
      if (store) expect((await store.getRun(outcome.runId))?.status).toBe("COMPLETED");
    });
  }
});

describe("a database step of a durable, non-transactional run whose connection is killed inside its transaction", () => {
  test("is tried again in a new transaction and applied exactly once", async () => {
    const db = await createPostgresTestDatabase();
    onTestFinished(() => db.close());
    const store = await openRunJournal(db.url);
    onTestFinished(() => store.close());
    await db.driver.create("account", { owner: "buyer", balance: 0 });
    let executions = 0;
    const deposit = step(
      "deposit",
      async (ctx: StepContext) => {
        executions += 1;
        if (executions === 1) await killConnections(db.url);
        return ctx.driver.updateMany("account", { owner: "buyer" }, { balance: { increment: 10 } });
      },
      null,
      { effect: "database" },
    );
    const logger = new RecordingLogger();

    const outcome = await executeWorkflow(db.driver, defineWorkflow("deposit", [deposit]), { store, logger });

    expect(outcome).toMatchObject({ ok: true, status: "COMPLETED", result: 1 });
    expect(executions).toBe(2);
    expect(await db.driver.findOne("account", { owner: "buyer" })).toMatchObject({ balance: 10 });
    expect(logger.at("warn").map((entry) => entry.message)).toContain(
      "a database step failed for a reason that can pass; trying it again",
    );
  });
});
