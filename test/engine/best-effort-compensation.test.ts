/**
 * Compensation is best-effort: a compensation that throws is logged and recorded, the earlier steps are still
 * compensated, and the run ends FAILED (a person must look) rather than passing for a clean rollback.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { InMemoryRunJournal, runWorkflow, step } from "../../src/index.ts";
import { createSqliteTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { RecordingLogger } from "./recording-logger.ts";

describe("best-effort compensation", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createSqliteTestDatabase();
  });
  afterAll(() => db?.close());

  function steps(undone: string[]) {
    return [
      step(
        "reserve",
        () => "res_1",
        () => void undone.push("reserve"),
      ),
      step(
        "charge",
        () => "ch_1",
        () => {
          throw new Error("refund API unavailable");
        },
      ),
      step(
        "notify",
        () => "sent",
        () => void undone.push("notify"),
      ),
      step("ship", () => {
        throw new Error("Shipping refused");
      }),
    ];
  }

  test("still runs the other compensations after one throws", async () => {
    const undone: string[] = [];
    const outcome = await runWorkflow(db.driver, "best-effort", steps(undone), { logger: new RecordingLogger() });

    expect(undone).toEqual(["notify", "reserve"]);
    expect(outcome).toMatchObject({
      ok: false,
      failedStep: "ship",
      error: "Shipping refused",
      compensatedSteps: ["notify", "reserve"],
    });
  });

  test("ends FAILED and lists the failed compensation, never passing for a clean rollback", async () => {
    const outcome = await runWorkflow(db.driver, "not-clean", steps([]), { logger: new RecordingLogger() });

    expect(outcome.ok).toBe(false);
    expect(outcome).toMatchObject({
      status: "FAILED",
      failedCompensations: [{ step: "charge", error: { name: "Error", message: "refund API unavailable" } }],
    });
    expect(outcome.ok === false && outcome.compensatedSteps).not.toContain("charge");
  });

  test("logs the failed compensation through the logger option, naming the run and the step", async () => {
    const logger = new RecordingLogger();
    const outcome = await runWorkflow(db.driver, "logged", steps([]), { logger, runId: "run-logged" });

    expect(outcome.status).toBe("FAILED");
    expect(logger.at("error")).toEqual([
      {
        level: "error",
        message: expect.stringContaining("compensation failed"),
        details: {
          runId: "run-logged",
          workflow: "logged",
          step: "charge",
          err: { name: "Error", message: "refund API unavailable" },
        },
      },
    ]);
  });

  test("records the failed compensation in the journal and marks the run FAILED", async () => {
    const store = new InMemoryRunJournal();
    const outcome = await runWorkflow(db.driver, "journaled", steps([]), { logger: new RecordingLogger(), store });

    const run = await store.getRun(outcome.runId);
    expect(run?.status).toBe("FAILED");
    expect(run?.steps.map((s) => [s.name, s.status])).toEqual([
      ["reserve", "COMPENSATED"],
      ["charge", "COMPENSATION_FAILED"],
      ["notify", "COMPENSATED"],
      ["ship", "FAILED"],
    ]);
    expect(run?.steps[1]?.compensationError).toEqual({ name: "Error", message: "refund API unavailable" });
  });

  test("reports every compensation that failed, last step first", async () => {
    const broken = (name: string) =>
      step(
        name,
        () => name,
        () => {
          throw new Error(`cannot undo ${name}`);
        },
      );
    const logger = new RecordingLogger();
    const outcome = await runWorkflow(
      db.driver,
      "all-broken",
      [
        broken("a"),
        broken("b"),
        step("c", () => {
          throw new Error("c failed");
        }),
      ],
      { logger },
    );

    expect(outcome).toMatchObject({
      status: "FAILED",
      compensatedSteps: [],
      failedCompensations: [
        { step: "b", error: { message: "cannot undo b" } },
        { step: "a", error: { message: "cannot undo a" } },
      ],
    });
    expect(logger.at("error").map((entry) => entry.details.step)).toEqual(["b", "a"]);
  });

  test("keeps the failed step's error as the run's error, not the compensation's", async () => {
    const outcome = await runWorkflow(db.driver, "primary-error", steps([]), { logger: new RecordingLogger() });

    expect(outcome).toMatchObject({ error: "Shipping refused", cause: { message: "Shipping refused" } });
  });

  test("treats a compensation that rejects like one that throws", async () => {
    const outcome = await runWorkflow(
      db.driver,
      "rejecting-undo",
      [
        step(
          "a",
          () => 1,
          () => Promise.reject(new Error("async undo failed")),
        ),
        step("b", () => {
          throw new Error("b failed");
        }),
      ],
      { logger: new RecordingLogger() },
    );

    expect(outcome).toMatchObject({
      status: "FAILED",
      failedCompensations: [{ step: "a", error: { message: "async undo failed" } }],
    });
  });
});
