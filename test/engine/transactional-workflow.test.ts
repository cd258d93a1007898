/**
 * `useTransaction: true` against a real SQLite database: one transaction around every step's writes, and
 * compensation of the external effects the rollback cannot undo.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { NonRetryableError, runWorkflow, step, workflow, executeWorkflow, type StepContext } from "../../src/index.ts";
import { UniqueConstraintError } from "../../src/engine/definition/driver-errors.ts";
import { silentLogger as silent } from "../../src/engine/logger.ts";
import { CommitRefusingDriver } from "../helpers/commit-refusing-driver.ts";
import { createSqliteTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

/** A stand-in for an external API: its effects live outside the database, so no rollback reaches them. */
class PaymentProvider {
  readonly charges = new Map<string, { amount: number; refunded: boolean }>();
  readonly refunds: string[] = [];
  charge(amount: number): string {
    const id = `ch_${this.charges.size + 1}`;
    this.charges.set(id, { amount, refunded: false });
    return id;
  }
  refund(id: string): void {
    this.charges.get(id)!.refunded = true;
    this.refunds.push(id);
  }
}

describe("transactional workflows on SQLite", () => {
  let db: TestDatabase;
  let payments: PaymentProvider;
  let compensations: string[];
  /** `ctx.rolledBack` as the charge's compensation saw it, once per call. */
  let rolledBackSeen: boolean[];

  beforeEach(async () => {
    db = await createSqliteTestDatabase();
    payments = new PaymentProvider();
    compensations = [];
    rolledBackSeen = [];
  });
  afterEach(() => db.close());

  /** create-user (db) → reserve (db, guarded decrement) → charge (external) → notify (external, no undo) → then `last`. */
  function checkoutSteps(last: ReturnType<typeof step>) {
    return [
      step(
        "create-user",
        async (ctx: StepContext) => (await ctx.driver.create("user", { email: "buyer@x", name: "Buyer" })).id as string,
        async (ctx, id) => {
          compensations.push("create-user");
          await ctx.driver.delete("user", { id });
        },
        { effect: "database" },
      ),
      step(
        "reserve",
        async (ctx: StepContext) => {
          const reserved = await ctx.driver.updateMany(
            "product",
            { sku: "P1", stock: { gte: 2 } },
            { stock: { decrement: 2 } },
          );
          if (reserved === 0) throw new NonRetryableError("Insufficient stock for P1");
          return 2;
        },
        async (ctx, quantity) => {
          compensations.push("reserve");
          await ctx.driver.updateMany("product", { sku: "P1" }, { stock: { increment: quantity } });
        },
        { effect: "database" },
      ),
      step(
        "charge",
        (ctx: StepContext) => {
          const id = ctx.resolve<PaymentProvider>("payments").charge(42);
          ctx.set("chargeId", id);
          return id;
        },
        (ctx, id) => {
          compensations.push("charge");
          rolledBackSeen.push(ctx.rolledBack);
          ctx.resolve<PaymentProvider>("payments").refund(id);
        },
      ),
      step("notify", () => "sent"),
      last,
    ];
  }

  const stockOf = async () => (await db.driver.findOne("product", { sku: "P1" }))!.stock as number;

  beforeEach(async () => {
    await db.driver.create("product", { sku: "P1", name: "Widget", price: 21, stock: 5 });
  });

  test("a failing step rolls back every step's writes and still compensates the external effects, last first", async () => {
    const fail = step("finalize", async (ctx: StepContext) => {
      await ctx.driver.create("account", { owner: "buyer" });
      throw new Error("Shipping refused");
    });
    const outcome = await runWorkflow(db.driver, "checkout", checkoutSteps(fail), {
      useTransaction: true,
      services: { payments },
      logger: silent,
    });

    expect(outcome).toMatchObject({
      ok: false,
      code: "ACTION_ERROR",
      error: "Shipping refused",
      failedStep: "finalize",
      rolledBack: true,
    });
    expect(outcome.ok || outcome.compensatedSteps).toEqual(["charge", "reserve", "create-user"]);
    expect(outcome.ok || outcome.uncompensatedSteps).toEqual(["notify"]);
    expect(await db.driver.count("user")).toBe(0);
    expect(await db.driver.count("account")).toBe(0);
    expect(await stockOf()).toBe(5);
    expect(payments.refunds).toEqual(["ch_1"]);
    expect(rolledBackSeen).toEqual([true]);
  });

  test("a commit refused after every step succeeded fails the run with TransactionCommitError outside any step, and compensates the external effects", async () => {
    const finish = step(
      "finalize",
      async (ctx: StepContext) => (await ctx.driver.create("account", { owner: "buyer" })).id,
    );
    const refusing = new CommitRefusingDriver(db.driver);
    const outcome = await runWorkflow(refusing, "checkout", checkoutSteps(finish), {
      useTransaction: true,
      services: { payments },
      logger: silent,
    });

    expect(refusing.refusedCommits).toBe(1);
    expect(outcome).toMatchObject({
      ok: false,
      status: "COMPENSATED",
      failedStep: null,
      rolledBack: true,
      error: "The workflow transaction failed to commit: FOREIGN KEY constraint failed",
      cause: { name: "TransactionCommitError", code: "TRANSACTION_COMMIT_FAILED" },
      compensatedSteps: ["charge", "reserve", "create-user"],
      uncompensatedSteps: ["finalize", "notify"],
    });
    // The rollback undid the database steps: only the charge, an external effect, needed its compensation.
    expect(compensations).toEqual(["charge"]);
    expect(rolledBackSeen).toEqual([true]);
    expect(payments.refunds).toEqual(["ch_1"]);
    expect(await db.driver.count("user")).toBe(0);
    expect(await db.driver.count("account")).toBe(0);
    expect(await stockOf()).toBe(5);
  });

  test("database steps count as compensated after the rollback without their compensation running again", async () => {
    const fail = step("finalize", () => {
      throw new Error("boom");
    });
    const outcome = await runWorkflow(db.driver, "checkout", checkoutSteps(fail), {
      useTransaction: true,
      services: { payments },
      logger: silent,
    });

    expect(outcome.ok).toBe(false);
    expect(compensations).toEqual(["charge"]);
    // Running "reserve"'s compensation after the rollback would have put the stock back twice: 7, not 5.
    expect(await stockOf()).toBe(5);
  });

  test("without a transaction the same failure runs every compensation, database ones included", async () => {
    const fail = step("finalize", () => {
      throw new Error("boom");
    });
    const outcome = await runWorkflow(db.driver, "checkout", checkoutSteps(fail), {
      services: { payments },
      logger: silent,
    });

    expect(outcome).toMatchObject({
      ok: false,
      rolledBack: false,
      compensatedSteps: ["charge", "reserve", "create-user"],
    });
    expect(compensations).toEqual(["charge", "reserve", "create-user"]);
    expect(await stockOf()).toBe(5);
    expect(await db.driver.count("user")).toBe(0);
    expect(rolledBackSeen).toEqual([false]);
  });

  test("a run whose steps all succeed commits every write and returns the last step's result", async () => {
    const finish = step("finalize", async (ctx: StepContext) => {
      await ctx.driver.create("account", { owner: "buyer", nickname: ctx.get("chargeId") as string });
      return { success: true, chargeId: ctx.get("chargeId") };
    });
    const outcome = await runWorkflow(db.driver, "checkout", checkoutSteps(finish), {
      useTransaction: true,
      services: { payments },
    });

    expect(outcome).toMatchObject({ ok: true, status: "COMPLETED", result: { success: true, chargeId: "ch_1" } });
    expect(await db.driver.count("user")).toBe(1);
    expect(await db.driver.findOne("account", { owner: "buyer" })).toMatchObject({ nickname: "ch_1" });
    expect(await stockOf()).toBe(3);
    expect(payments.refunds).toEqual([]);
  });

  test("steps see each other's uncommitted writes through ctx.driver, which is the transaction", async () => {
    const definition = workflow("read-your-writes")
      .step("write", async (ctx) => (await ctx.driver.create("user", { email: "w@x", name: "W" })).id as string)
      .step("read", async (ctx) => ({
        inTransaction: ctx.driver.inTransaction,
        seen: await ctx.driver.count("user", { email: "w@x" }),
      }))
      .transactional()
      .build();
    const outcome = await executeWorkflow(db.driver, definition);
    expect(outcome).toMatchObject({ ok: true, result: { inTransaction: true, seen: 1 } });
  });

  test("a step whose database write fails fails the run with the driver error, and earlier writes roll back", async () => {
    await db.driver.create("user", { email: "taken@x", name: "Existing" });
    const duplicate = step(
      "create-duplicate",
      async (ctx: StepContext) => ctx.driver.create("user", { email: "taken@x", name: "Dup" }),
      undefined,
      {
        retry: { maxAttempts: 2, shouldRetry: (error) => !(error instanceof UniqueConstraintError) },
      },
    );
    const outcome = await runWorkflow(db.driver, "checkout", checkoutSteps(duplicate), {
      useTransaction: true,
      services: { payments },
      logger: silent,
    });

    expect(outcome).toMatchObject({ ok: false, failedStep: "create-duplicate", attempts: 1, rolledBack: true });
    expect(outcome.ok || outcome.cause).toMatchObject({ name: "UniqueConstraintError", code: "UNIQUE_CONSTRAINT" });
    expect(outcome.ok || outcome.error).toContain("already has this email");
    expect(await db.driver.count("user")).toBe(1);
    expect(await stockOf()).toBe(5);
    expect(payments.refunds).toEqual(["ch_1"]);
  });

  test("a step that retries after its own failed write succeeds and commits (SQLite keeps the transaction usable)", async () => {
    let attempts = 0;
    const flaky = step(
      "flaky-write",
      async (ctx: StepContext) => {
        attempts += 1;
        const email = attempts === 1 ? "buyer@x" : "second@x"; // the first attempt collides with create-user's row
        return ctx.driver.create("user", { email, name: "Flaky" });
      },
      undefined,
      { retry: { maxAttempts: 2 } },
    );
    const outcome = await runWorkflow(db.driver, "checkout", checkoutSteps(flaky), {
      useTransaction: true,
      services: { payments },
      logger: silent,
    });

    expect(outcome).toMatchObject({ ok: true });
    expect(attempts).toBe(2);
    expect(await db.driver.count("user")).toBe(2);
  });

  test("another request's write during a transactional run is neither blocked forever nor rolled back with it", async () => {
    let outside: Promise<unknown> | undefined;
    const fail = step("finalize", async () => {
      outside = db.driver.create("account", { owner: "someone else" });
      throw new Error("boom");
    });
    await runWorkflow(db.driver, "checkout", checkoutSteps(fail), {
      useTransaction: true,
      services: { payments },
      logger: silent,
    });
    await outside;
    expect((await db.driver.findMany("account")).map((row) => row.owner)).toEqual(["someone else"]);
  });
});
