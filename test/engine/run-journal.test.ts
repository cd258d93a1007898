/**
 * With a run journal, every run leaves a journal: the run's status (COMPLETED / COMPENSATED / FAILED) and,
 * per step, its status, attempts and error. Steps the run never reached end SKIPPED.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { InMemoryRunJournal, runWorkflow, step, workflow, executeWorkflow } from "../../src/index.ts";
import { createSqliteTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { RecordingLogger } from "./recording-logger.ts";

describe("run journal", () => {
  let db: TestDatabase;
  let store: InMemoryRunJournal;
  beforeAll(async () => {
    db = await createSqliteTestDatabase();
    store = new InMemoryRunJournal();
  });
  afterAll(() => db?.close());

  const options = () => ({ store, logger: new RecordingLogger() });

  test("journals a completed run: every step COMPLETED with its attempts and result", async () => {
    const outcome = await runWorkflow(
      db.driver,
      "journal-ok",
      [
        step(
          "reserve",
          () => ({ id: "res_1" }),
          () => {},
        ),
        step("charge", () => "ch_1"),
        step("finalize", () => ({ success: true })),
      ],
      { ...options(), input: { orderId: "o1" }, initialData: { batch: 1 }, idempotencyKey: "req-1" },
    );

    const run = await store.getRun(outcome.runId);
    expect(run).toMatchObject({
      id: outcome.runId,
      workflow: "journal-ok",
      status: "COMPLETED",
      input: { orderId: "o1" },
      idempotencyKey: "req-1",
      result: { success: true },
      error: null,
      failedStep: null,
      rolledBack: false,
    });
    expect(run?.steps).toEqual([
      expect.objectContaining({
        name: "reserve",
        index: 0,
        status: "COMPLETED",
        attempts: 1,
        result: { id: "res_1" },
        error: null,
      }),
      expect.objectContaining({
        name: "charge",
        index: 1,
        status: "COMPLETED",
        attempts: 1,
        result: "ch_1",
        error: null,
      }),
      expect.objectContaining({
        name: "finalize",
        index: 2,
        status: "COMPLETED",
        attempts: 1,
        result: { success: true },
        error: null,
      }),
    ]);
  });

  test("journals a compensated run: undone steps COMPENSATED, the failed one FAILED, the rest SKIPPED", async () => {
    const outcome = await runWorkflow(
      db.driver,
      "journal-compensated",
      [
        step(
          "reserve",
          () => "res",
          () => {},
        ),
        step("notify", () => "sent"),
        step("charge", () => {
          throw new Error("Payment failed");
        }),
        step(
          "ship",
          () => "ship_1",
          () => {},
        ),
        step("finalize", () => "done"),
      ],
      options(),
    );

    const run = await store.getRun(outcome.runId);
    expect(run).toMatchObject({ status: "COMPENSATED", failedStep: "charge", error: { message: "Payment failed" } });
    expect(run?.steps.map((s) => [s.name, s.status, s.attempts])).toEqual([
      ["reserve", "COMPENSATED", 1],
      ["notify", "COMPLETED", 1],
      ["charge", "FAILED", 1],
      ["ship", "SKIPPED", 0],
      ["finalize", "SKIPPED", 0],
    ]);
    expect(run?.steps[2]?.error).toEqual({ name: "Error", message: "Payment failed" });
  });

  test("journals the attempts a retried step took, and clears its error once it succeeds", async () => {
    let calls = 0;
    const outcome = await runWorkflow(
      db.driver,
      "journal-retry",
      [
        step(
          "charge",
          () => {
            if (++calls < 3) throw new Error(`blip ${calls}`);
            return "ch_1";
          },
          null,
          { retry: { maxAttempts: 3 } },
        ),
      ],
      options(),
    );

    const run = await store.getRun(outcome.runId);
    expect(run?.steps[0]).toMatchObject({ status: "COMPLETED", attempts: 3, error: null, result: "ch_1" });
  });

  test("journals a step that ran out of attempts with its attempts and last error", async () => {
    const outcome = await runWorkflow(
      db.driver,
      "journal-exhausted",
      [
        step(
          "reserve",
          () => "res",
          () => {},
        ),
        step(
          "charge",
          (ctx) => {
            throw new Error(`blip ${ctx.attempt}`);
          },
          null,
          { retry: { maxAttempts: 2 } },
        ),
      ],
      options(),
    );

    const run = await store.getRun(outcome.runId);
    expect(run?.status).toBe("COMPENSATED");
    expect(run?.steps[1]).toMatchObject({
      name: "charge",
      status: "FAILED",
      attempts: 2,
      error: { message: "blip 2" },
    });
  });

  test("journals a failed compensation: the step COMPENSATION_FAILED, the run FAILED", async () => {
    const outcome = await runWorkflow(
      db.driver,
      "journal-failed",
      [
        step(
          "charge",
          () => "ch",
          () => {
            throw new Error("refund down");
          },
        ),
        step("ship", () => {
          throw new Error("Shipping refused");
        }),
      ],
      options(),
    );

    const run = await store.getRun(outcome.runId);
    expect(run).toMatchObject({ status: "FAILED", failedStep: "ship" });
    expect(run?.steps.map((s) => s.status)).toEqual(["COMPENSATION_FAILED", "FAILED"]);
    expect(run?.steps[0]?.compensationError).toEqual({ name: "Error", message: "refund down" });
  });

  test("journals the shared data as the steps leave it", async () => {
    const outcome = await runWorkflow(
      db.driver,
      "journal-data",
      [step("a", (ctx) => ctx.set("chargeId", "ch_1")), step("b", (ctx) => ctx.set("shipmentId", "sh_1"))],
      { ...options(), initialData: { batchSize: 2 } },
    );

    expect((await store.getRun(outcome.runId))?.data).toEqual({ batchSize: 2, chargeId: "ch_1", shipmentId: "sh_1" });
  });

  test("journals the resource id of an entity run", async () => {
    const row = await db.driver.create("product", { sku: "JOURNAL-1", name: "Journal", price: 1 });
    const definition = workflow("journal-resource")
      .step("touch", (ctx) => ctx.resourceId)
      .build();

    const outcome = await executeWorkflow(db.driver, definition, {
      ...options(),
      resource: row,
      resourceId: row.id as string,
    });

    expect(await store.getRun(outcome.runId)).toMatchObject({ resourceId: row.id, status: "COMPLETED" });
  });

  test("journals the run under the id given in runId", async () => {
    await runWorkflow(db.driver, "journal-id", [step("a", () => 1)], { ...options(), runId: "run-fixed-id" });

    expect(await store.getRun("run-fixed-id")).toMatchObject({ id: "run-fixed-id", workflow: "journal-id" });
  });

  test("lists runs by status and by workflow", async () => {
    const listStore = new InMemoryRunJournal();
    const failing = [
      step("x", () => {
        throw new Error("no");
      }),
    ];
    await runWorkflow(db.driver, "list-a", [step("a", () => 1)], { store: listStore });
    await runWorkflow(db.driver, "list-b", failing, { store: listStore, logger: new RecordingLogger() });

    expect((await listStore.listRuns({ status: "COMPENSATED" })).map((run) => run.workflow)).toEqual(["list-b"]);
    expect((await listStore.listRuns({ workflow: "list-a" })).map((run) => run.status)).toEqual(["COMPLETED"]);
    expect(await listStore.listRuns()).toHaveLength(2);
  });

  test("refuses to journal the same run id twice", async () => {
    await runWorkflow(db.driver, "journal-dup", [step("a", () => 1)], { ...options(), runId: "run-twice" });

    await expect(
      runWorkflow(db.driver, "journal-dup", [step("a", () => 1)], { ...options(), runId: "run-twice" }),
    ).rejects.toThrow(/already journaled/);
  });

  test("hands out snapshots the caller cannot use to change the journal", async () => {
    const outcome = await runWorkflow(db.driver, "journal-copy", [step("a", () => 1)], options());
    const snapshot = await store.getRun(outcome.runId);
    snapshot!.status = "FAILED";

    expect((await store.getRun(outcome.runId))?.status).toBe("COMPLETED");
  });
});
