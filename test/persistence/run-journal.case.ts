import { describe, expect, test } from "vitest";
import type { RunJournal } from "../../src/engine/journal/run-journal.ts";
import {
  expectReplayMatchesReference,
  failure,
  newRunId,
  play,
  reference,
  RunScript,
  T0,
} from "./run-journal-script.ts";

/** Makes a new, empty journal for one test, and disposes of it when the test ends. */
export type RunJournalFactory<S extends RunJournal = RunJournal> = () => Promise<S>;

const CHECKOUT = ["reserve-inventory", "charge-payment", "create-shipment", "finalize"];

/**
 * The `RunJournal` contract, run against every implementation (the way Hono runs one `*.case.test.ts` against all its
 * routers). Every scenario is also checked against `applyRunEvent`, through the in-memory journal, event by event.
 */
export function runJournalContract(name: string, fresh: RunJournalFactory): void {
  describe(`${name} — RunJournal contract`, () => {
    test("journals a completed run: each step COMPLETED with attempts, result and timings, the run with the last result", async () => {
      const store = await fresh();
      const script = new RunScript(newRunId(), CHECKOUT, {
        input: { paymentMethodId: "pm_card_visa" },
        resourceId: "order-1",
      })
        .completes(0, { reservationId: "res_1" }, { reservationId: "res_1" })
        .completes(1, { id: "ch_1" }, { reservationId: "res_1", chargeId: "ch_1" })
        .completes(2, { id: "ship_1" }, { reservationId: "res_1", chargeId: "ch_1", shipmentId: "ship_1" })
        .completes(3, { success: true }, { reservationId: "res_1", chargeId: "ch_1", shipmentId: "ship_1" })
        .finished("COMPLETED", { result: { success: true } });
      const run = await expectReplayMatchesReference(store, script);
      expect(run).toMatchObject({
        status: "COMPLETED",
        result: { success: true },
        resourceId: "order-1",
        failedStep: null,
        error: null,
      });
      expect(run.input).toEqual({ paymentMethodId: "pm_card_visa" });
      expect(run.steps.map((s) => [s.name, s.status, s.attempts])).toEqual(CHECKOUT.map((n) => [n, "COMPLETED", 1]));
      expect(run.steps[1]).toMatchObject({
        result: { id: "ch_1" },
        startedAt: new Date(T0 + 3),
        endedAt: new Date(T0 + 4),
      });
      expect(run.createdAt).toEqual(new Date(T0));
      expect(run.updatedAt).toEqual(new Date(T0 + 9));
    });

    test("journals a compensated run: the failed step FAILED, completed ones COMPENSATED, the rest SKIPPED", async () => {
      const store = await fresh();
      const declined = failure("Payment failed: card declined", { code: "NON_RETRYABLE" });
      const script = new RunScript(newRunId(), CHECKOUT)
        .completes(0, { reservationId: "res_1" })
        .stepStarted(1)
        .stepFailed(1, declined)
        .compensating("charge-payment", declined)
        .compensationStarted(0)
        .compensationCompleted(0)
        .finished("COMPENSATED", { error: declined });
      const run = await expectReplayMatchesReference(store, script);
      expect(run).toMatchObject({
        status: "COMPENSATED",
        failedStep: "charge-payment",
        error: declined,
        rolledBack: false,
        result: null,
      });
      expect(run.steps.map((s) => s.status)).toEqual(["COMPENSATED", "FAILED", "SKIPPED", "SKIPPED"]);
      expect(run.steps[1]).toMatchObject({ error: declined, attempts: 1, endedAt: new Date(T0 + 4) });
    });

    test("a compensation that fails leaves its step COMPENSATION_FAILED and the run FAILED", async () => {
      const store = await fresh();
      const noShipping = failure("Cannot ship to XX");
      const refundDown = failure("Refund service unavailable");
      const script = new RunScript(newRunId(), CHECKOUT)
        .completes(0, { reservationId: "res_1" })
        .completes(1, { id: "ch_1" })
        .stepStarted(2)
        .stepFailed(2, noShipping)
        .compensating("create-shipment", noShipping)
        .compensationStarted(1)
        .compensationFailed(1, refundDown)
        .compensationStarted(0)
        .compensationCompleted(0)
        .finished("FAILED", { error: noShipping });
      const run = await expectReplayMatchesReference(store, script);
      expect(run.status).toBe("FAILED");
      expect(run.steps.map((s) => s.status)).toEqual(["COMPENSATED", "COMPENSATION_FAILED", "FAILED", "SKIPPED"]);
      expect(run.steps[1]).toMatchObject({ compensationError: refundDown, error: null, result: { id: "ch_1" } });
    });

    test("journals retries: attempts count up, the last error stays until the step completes and clears it", async () => {
      const store = await fresh();
      const flaky = failure("Transient network error", { code: "ECONNRESET" });
      const script = new RunScript(newRunId(), CHECKOUT)
        .completes(0, { reservationId: "res_1" })
        .stepStarted(1, 1)
        .stepRetrying(1, 1, flaky, 100)
        .stepStarted(1, 2);
      await expectReplayMatchesReference(store, script);
      expect((await store.getRun(script.runId))!.steps[1]).toMatchObject({
        status: "RUNNING",
        attempts: 2,
        error: flaky,
        startedAt: new Date(T0 + 3),
      });
      script.stepRetrying(1, 2, flaky, 200).stepStarted(1, 3).stepCompleted(1, { id: "ch_1" }, {}, 3);
      const run = await expectReplayMatchesReference(store, script, 6);
      expect(run.steps[1]).toMatchObject({ status: "COMPLETED", attempts: 3, error: null, result: { id: "ch_1" } });
    });

    test("a step that exhausts its attempts ends FAILED with its attempt count and last error", async () => {
      const store = await fresh();
      const down = failure("Service down");
      const script = new RunScript(newRunId(), ["call-api", "after"])
        .stepStarted(0, 1)
        .stepRetrying(0, 1, down)
        .stepStarted(0, 2)
        .stepFailed(0, down, 2)
        .compensating("call-api", down)
        .finished("COMPENSATED", { error: down });
      const run = await expectReplayMatchesReference(store, script);
      expect(run.steps.map((s) => [s.status, s.attempts])).toEqual([
        ["FAILED", 2],
        ["SKIPPED", 0],
      ]);
    });

    test("after a rollback, database steps count as compensated by it and steps never run are SKIPPED", async () => {
      const store = await fresh();
      const commit = failure("The workflow transaction failed to commit", { code: "TRANSACTION_COMMIT_FAILED" });
      const script = new RunScript(newRunId(), ["write-a", "charge", "write-b", "never"], { transactional: true })
        .completes(0, { id: 1 })
        .completes(1, { id: "ch_1" })
        .completes(2, { id: 2 })
        .compensating(null, commit, true)
        .compensationCompleted(2, true)
        .compensationStarted(1)
        .compensationCompleted(1)
        .compensationCompleted(0, true)
        .finished("COMPENSATED", { error: commit });
      const run = await expectReplayMatchesReference(store, script);
      expect(run).toMatchObject({ transactional: true, rolledBack: true, failedStep: null, error: commit });
      expect(run.steps.map((s) => s.status)).toEqual(["COMPENSATED", "COMPENSATED", "COMPENSATED", "SKIPPED"]);
    });

    test("keeps the input, the latest data snapshot and results as JSON values, Dates included", async () => {
      const store = await fresh();
      const placedAt = new Date(Date.UTC(2026, 4, 1, 12, 30));
      const input = { paymentMethodId: "pm_card_visa", items: [{ sku: "A-1", quantity: 2 }], note: null, placedAt };
      const script = new RunScript(newRunId(), ["one", "two"], { input, data: { batchSize: 100 } })
        .completes(
          0,
          { ok: true, at: placedAt, tags: ["a", "b"], nested: { deep: [1, 2.5, -3] } },
          { batchSize: 100, first: "x" },
        )
        .stepStarted(1)
        .stepCompleted(1, undefined, { batchSize: 100, first: "x", second: { when: placedAt } })
        .finished("COMPLETED", {});
      const run = await expectReplayMatchesReference(store, script);
      expect(run.input).toStrictEqual(input);
      expect(run.steps[0]!.result).toStrictEqual({
        ok: true,
        at: placedAt,
        tags: ["a", "b"],
        nested: { deep: [1, 2.5, -3] },
      });
      expect(run.steps[1]!.result).toBeUndefined();
      expect(run.data).toStrictEqual({ batchSize: 100, first: "x", second: { when: placedAt } });
      expect((run.data.second as { when: unknown }).when).toBeInstanceOf(Date);
      expect(run.result).toBeNull();
    });

    test("a run that never got an input keeps it undefined, and a null result stays null", async () => {
      const store = await fresh();
      const script = new RunScript(newRunId(), ["only"]).completes(0, null).finished("COMPLETED", { result: null });
      const run = await expectReplayMatchesReference(store, script);
      expect(run.input).toBeUndefined();
      expect(run.result).toBeNull();
      expect(run.steps[0]!.result).toBeNull();
    });

    test("lists runs newest first, filtered by status and workflow, at most `take`", async () => {
      const store = await fresh();
      const [a1, b2, a3, a4] = ["a1", "b2", "a3", "a4"].map((label) => newRunId(label));
      await play(
        store,
        new RunScript(a1!, ["s"], { workflow: "alpha", startAt: 1000 })
          .completes(0, 1)
          .finished("COMPLETED", { result: 1 }),
        new RunScript(b2!, ["s"], { workflow: "beta", startAt: 2000 }).stepStarted(0),
        new RunScript(a3!, ["s"], { workflow: "alpha", startAt: 3000 })
          .stepStarted(0)
          .stepFailed(0, failure("x"))
          .compensating("s", failure("x"))
          .finished("COMPENSATED"),
        new RunScript(a4!, ["s"], { workflow: "alpha", startAt: 4000 }),
      );
      const ids = async (filter?: Parameters<RunJournal["listRuns"]>[0]) =>
        (await store.listRuns(filter)).map((run) => run.id);
      expect(await ids()).toEqual([a4, a3, b2, a1]);
      expect(await ids({ status: "RUNNING" })).toEqual([a4, b2]);
      expect(await ids({ workflow: "alpha" })).toEqual([a4, a3, a1]);
      expect(await ids({ workflow: "alpha", status: "RUNNING" })).toEqual([a4]);
      expect(await ids({ status: "COMPENSATED" })).toEqual([a3]);
      expect(await ids({ take: 2 })).toEqual([a4, a3]);
      expect(await ids({ workflow: "gamma" })).toEqual([]);
      const listed = await store.listRuns({ workflow: "alpha", take: 1 });
      expect(listed[0]).toStrictEqual(await store.getRun(a4!));
      expect((await store.listRuns({ status: "COMPENSATED" }))[0]).toStrictEqual(
        await reference(
          new RunScript(a3!, ["s"], { workflow: "alpha", startAt: 3000 })
            .stepStarted(0)
            .stepFailed(0, failure("x"))
            .compensating("s", failure("x"))
            .finished("COMPENSATED"),
        ),
      );
    });

    test("lists only the visible runs: none of a hidden workflow, only the named resources' of a keyed one, at most `take` of them", async () => {
      const store = await fresh();
      const [mine, theirs, hidden, other, noResource, mineToo] = [
        "mine",
        "theirs",
        "hidden",
        "other",
        "none",
        "mine2",
      ].map((label) => newRunId(label));
      await play(
        store,
        new RunScript(mine!, ["s"], { workflow: "order.checkout", resourceId: "o1", startAt: 1000 }),
        new RunScript(theirs!, ["s"], { workflow: "order.checkout", resourceId: "o2", startAt: 2000 }),
        new RunScript(hidden!, ["s"], { workflow: "order.refund", resourceId: "o1", startAt: 3000 }),
        new RunScript(other!, ["s"], { workflow: "report.build", resourceId: "r1", startAt: 4000 }),
        new RunScript(noResource!, ["s"], { workflow: "order.checkout", startAt: 5000 }),
        new RunScript(mineToo!, ["s"], { workflow: "order.checkout", resourceId: "o 3", startAt: 6000 }),
      );
      const visible = { hiddenWorkflows: ["order.refund"], resourceIds: { "order.checkout": ["o1", "o 3"] } };
      const ids = async (filter: Parameters<RunJournal["listRuns"]>[0]) =>
        (await store.listRuns(filter)).map((run) => run.id);
      expect(await ids({ visible })).toEqual([mineToo, other, mine]);
      expect(await ids({ visible, take: 2 })).toEqual([mineToo, other]);
      expect(await ids({ visible, workflow: "order.checkout" })).toEqual([mineToo, mine]);
      expect(await ids({ visible: { hiddenWorkflows: [], resourceIds: { "order.checkout": [] } } })).toEqual([
        other,
        hidden,
      ]);
    });

    test("pages with `skip` and bounds the list by start time: after is inclusive, before exclusive", async () => {
      const store = await fresh();
      const [r1, r2, r3, r4, r5] = ["r1", "r2", "r3", "r4", "r5"].map((label) => newRunId(label));
      await play(
        store,
        ...[r1, r2, r3, r4, r5].map(
          (id, i) => new RunScript(id!, ["s"], { workflow: i === 2 ? "beta" : "alpha", startAt: (i + 1) * 1000 }),
        ),
      );
      const ids = async (filter: Parameters<RunJournal["listRuns"]>[0]) =>
        (await store.listRuns(filter)).map((run) => run.id);
      expect(await ids({ take: 2 })).toEqual([r5, r4]);
      expect(await ids({ take: 2, skip: 2 })).toEqual([r3, r2]);
      expect(await ids({ take: 2, skip: 4 })).toEqual([r1]);
      expect(await ids({ skip: 5 })).toEqual([]);
      expect(await ids({ createdAfter: new Date(T0 + 2000), createdBefore: new Date(T0 + 4000) })).toEqual([r3, r2]);
      expect(await ids({ createdAfter: new Date(T0 + 2000), workflow: "alpha", skip: 1 })).toEqual([r4, r2]);
      expect(await ids({ createdBefore: new Date(T0 + 1000) })).toEqual([]);
      const visible = { hiddenWorkflows: ["beta"], resourceIds: {} };
      expect(await ids({ visible, take: 2, skip: 1 })).toEqual([r4, r2]);
    });

    test("lists at most 50 runs when no `take` is given", async () => {
      const store = await fresh();
      const scripts = Array.from({ length: 52 }, (_, i) => new RunScript(newRunId("many"), ["s"], { startAt: i * 10 }));
      await play(store, ...scripts);
      const listed = await store.listRuns();
      expect(listed).toHaveLength(50);
      expect(listed[0]!.id).toBe(scripts[51]!.runId);
    });

    test("returns null for a run it never journaled", async () => {
      const store = await fresh();
      expect(await store.getRun("no-such-run")).toBeNull();
    });

    test("rejects a second run-started for the same run, and events for unknown runs or steps", async () => {
      const store = await fresh();
      const script = new RunScript(newRunId(), ["a", "b"]).completes(0, "done");
      await play(store, script);
      await expect(store.record(script.events[0]!)).rejects.toThrow(/already journaled/);
      await expect(
        store.record({ type: "step-started", runId: "ghost", step: "a", index: 0, attempt: 1, at: new Date() }),
      ).rejects.toThrow(/never started/);
      await expect(
        store.record({ type: "run-finished", runId: "ghost", status: "COMPLETED", at: new Date() }),
      ).rejects.toThrow(/never started/);
      await expect(
        store.record({ type: "step-started", runId: script.runId, step: "z", index: 7, attempt: 1, at: new Date() }),
      ).rejects.toThrow(/no step #7/);
    });

    test("holds a resource from a run's start to its end: a second run on it is refused until then, another resource is free", async () => {
      const store = await fresh();
      const resourceKey = `order:${newRunId("held")}`;
      const holder = new RunScript(newRunId("holder"), ["a"], { resourceKey }).stepStarted(0);
      await play(store, holder);
      const second = new RunScript(newRunId("second"), ["a"], { resourceKey });
      await expect(store.record(second.events[0]!)).rejects.toMatchObject({
        name: "ResourceHeldError",
        code: "RESOURCE_HELD",
        resourceKey,
        holderRunId: holder.runId,
      });
      expect(await store.getRun(second.runId)).toBeNull();
      expect(await store.findRunHolding!(resourceKey)).toBe(holder.runId);
      await play(store, new RunScript(newRunId("other"), ["a"], { resourceKey: `${resourceKey}-other` }));

      await store.record({
        type: "run-compensating",
        runId: holder.runId,
        failedStep: "a",
        error: failure("no"),
        rolledBack: false,
        at: new Date(),
      });
      await expect(store.record(second.events[0]!), "still held while compensating").rejects.toMatchObject({
        code: "RESOURCE_HELD",
      });
      await store.record({
        type: "run-finished",
        runId: holder.runId,
        status: "COMPENSATED",
        error: failure("no"),
        at: new Date(),
      });

      expect(await store.findRunHolding!(resourceKey)).toBeNull();
      await store.record(second.events[0]!);
      expect(await store.findRunHolding!(resourceKey)).toBe(second.runId);
    });

    test("hands out copies: changing a returned snapshot changes nothing in the journal", async () => {
      const store = await fresh();
      const script = new RunScript(newRunId(), ["a"], { data: { n: 1 } }).completes(0, { list: [1] }, { n: 2 });
      await play(store, script);
      const first = (await store.getRun(script.runId))!;
      first.status = "FAILED";
      first.data.n = 99;
      (first.steps[0]!.result as { list: number[] }).list.push(2);
      expect(await store.getRun(script.runId)).toStrictEqual(await reference(script));
    });
  });
}
