import { describe, expect, test } from "vitest";
import type { DurableRunJournal } from "../../src/engine/journal/durable-run-journal.ts";
import { IdempotencyKeyConflictError, RunFinishedError, RunLeaseLostError } from "../../src/engine/errors.ts";
import type { RunEvent } from "../../src/engine/journal/run-events.ts";
import type { DurableRunJournalFactory } from "./durable-run-journal.case.ts";
import { newRunId, play, reference, RunScript } from "./run-journal-script.ts";

const HOUR = 3_600_000;

function recordAll(store: DurableRunJournal, events: readonly RunEvent[]): Promise<void> {
  if (!store.recordAll) throw new Error("the store has no recordAll");
  return store.recordAll(events);
}

/** `recordAll`: the engine's batches of events, written atomically and in order by the SQL journals. */
export function recordAllContract(name: string, factory: DurableRunJournalFactory): void {
  describe(`${name} — recordAll`, () => {
    test("records a batch in order, with the same result as recording its events one by one", async () => {
      const store = await factory.fresh();
      const script = new RunScript(newRunId(), ["reserve", "charge", "ship"], { input: { n: 1 } })
        .completes(0, { reserved: 2 }, { reservationId: "r1" })
        .stepStarted(1)
        .stepRetrying(1, 1, { name: "Error", message: "flaky" })
        .stepStarted(1, 2)
        .stepCompleted(1, { id: "ch_1" }, { reservationId: "r1", chargeId: "ch_1" }, 2)
        .completes(2, null)
        .finished("COMPLETED", { result: null });
      const [start, ...rest] = script.events;
      await recordAll(store, [start!]);
      await recordAll(store, rest.slice(0, 3));
      await recordAll(store, rest.slice(3));
      expect(await store.getRun(script.runId)).toStrictEqual(await reference(script));
      const journaled = await store.listEvents({ runId: script.runId });
      expect(journaled.map((e) => e.event.type)).toEqual(script.events.map((e) => e.type));
      expect(journaled.map((e) => e.seq)).toEqual([...journaled.map((e) => e.seq)].sort((a, b) => a - b));
      expect((await store.getJournaledRun(script.runId))!.lastSeq).toBe(journaled.at(-1)!.seq);
    });

    test("a batch may start the run: run-started and the events after it commit together", async () => {
      const store = await factory.fresh({ owner: "starter", leaseMs: HOUR });
      const script = new RunScript(newRunId(), ["a", "b"]).completes(0, 1).stepStarted(1);
      await recordAll(store, script.events);
      expect(await store.getRun(script.runId)).toStrictEqual(await reference(script));
      expect(await store.getJournaledRun(script.runId)).toMatchObject({ owner: "starter" });
    });

    test("an empty batch writes nothing", async () => {
      const store = await factory.fresh();
      await recordAll(store, []);
      expect(await store.listEvents()).toEqual([]);
    });

    test("a refused event anywhere in the batch writes none of the batch", async () => {
      const store = await factory.fresh();
      const script = new RunScript(newRunId(), ["a", "b"]).completes(0, "done");
      await play(store, script);
      const before = await store.getJournaledRun(script.runId);
      const good = new RunScript(script.runId, script.steps).stepStarted(1).stepCompleted(1, "b-done").events.slice(1);
      const missing = {
        type: "step-started",
        runId: script.runId,
        step: "z",
        index: 7,
        attempt: 1,
        at: new Date(),
      } as const;
      await expect(recordAll(store, [...good, missing])).rejects.toThrow(/no step #7/);
      await expect(recordAll(store, [missing, ...good])).rejects.toThrow(/no step #7/);
      expect(await store.getJournaledRun(script.runId)).toStrictEqual(before);
      expect(await store.listEvents()).toHaveLength(script.events.length);
    });

    test("refuses a batch that goes on after finishing its run, and keeps the run unfinished", async () => {
      const store = await factory.fresh();
      const script = new RunScript(newRunId(), ["a"]).stepStarted(0);
      await play(store, script);
      const before = await store.getJournaledRun(script.runId);
      const tail = new RunScript(script.runId, script.steps)
        .stepCompleted(0, 1)
        .finished("COMPLETED", { result: 1 })
        .events.slice(1);
      const late = {
        type: "compensation-started",
        runId: script.runId,
        step: "a",
        index: 0,
        attempt: 1,
        at: new Date(),
      } as const;
      await expect(recordAll(store, [...tail, late])).rejects.toBeInstanceOf(RunFinishedError);
      expect(await store.getJournaledRun(script.runId)).toStrictEqual(before);
    });

    test("refuses the whole batch of an owner whose run another instance took over", async () => {
      const zombie = await factory.fresh({ owner: "zombie", leaseMs: 0 });
      const recoverer = await factory.sibling(zombie, { owner: "recoverer" });
      const script = new RunScript(newRunId(), ["a", "b"]).completes(0, 1);
      await play(zombie, script);
      expect(await recoverer.claimRun(script.runId, "recoverer", HOUR)).not.toBeNull();
      const before = await zombie.getJournaledRun(script.runId);
      const batch = new RunScript(script.runId, script.steps)
        .completes(1, 2)
        .finished("COMPLETED", { result: 2 })
        .events.slice(1);
      const refused = recordAll(zombie, batch);
      await expect(refused).rejects.toBeInstanceOf(RunLeaseLostError);
      await expect(refused).rejects.toMatchObject({ owner: "zombie", currentOwner: "recoverer" });
      expect(await zombie.getJournaledRun(script.runId)).toStrictEqual(before);
      await recordAll(recoverer, batch);
      expect((await recoverer.getRun(script.runId))!.status).toBe("COMPLETED");
    });

    test("a batch starting a run under a taken idempotency key is refused whole", async () => {
      const store = await factory.fresh();
      const first = new RunScript(newRunId(), ["a"], { workflow: "order.checkout", idempotencyKey: "req-9" });
      await play(store, first);
      const duplicate = new RunScript(newRunId(), ["a"], {
        workflow: "order.checkout",
        idempotencyKey: "req-9",
      }).stepStarted(0);
      const rejection = recordAll(store, duplicate.events);
      await expect(rejection).rejects.toBeInstanceOf(IdempotencyKeyConflictError);
      await expect(rejection).rejects.toMatchObject({ runId: first.runId });
      expect(await store.getRun(duplicate.runId)).toBeNull();
      expect(await store.listEvents()).toHaveLength(1);
    });
  });
}
