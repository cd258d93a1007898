import { describe, expect, test } from "vitest";
import type { DurableRunJournalOptions } from "../../src/persistence/durable-run-journal-options.ts";
import type { DurableRunJournal } from "../../src/engine/journal/durable-run-journal.ts";
import { IdempotencyKeyConflictError, RunFinishedError, RunLeaseLostError } from "../../src/engine/errors.ts";
import { hashRunInput } from "../../src/persistence/run-journal-json.ts";
import { failure, newRunId, play, reference, RunScript, T0 } from "./run-journal-script.ts";

export interface DurableRunJournalFactory<S extends DurableRunJournal = DurableRunJournal> {
  /** A new, empty journal for one test, disposed of when the test ends. */
  fresh(options?: DurableRunJournalOptions): Promise<S>;
  /** Another store on the journal `store` uses (as another process would open it); closed when the test ends. */
  sibling(store: S, options?: DurableRunJournalOptions): Promise<S>;
  /** `count` stores opening one new journal at the same moment, as processes starting together would. */
  openTogether(count: number): Promise<S[]>;
}

const HOUR = 3_600_000;

/** What recovery and several instances need from the SQL journals, beyond the `RunJournal` contract. */
export function durableRunJournalContract(name: string, factory: DurableRunJournalFactory): void {
  describe(`${name} — durable journal contract`, () => {
    test("keeps every run, event and lease after the store is closed and the journal reopened", async () => {
      const store = await factory.fresh({ owner: "instance-a" });
      const script = new RunScript(newRunId(), ["a", "b"], { idempotencyKey: "key-1", input: { n: 1 } })
        .completes(0, { at: new Date(5) })
        .stepStarted(1, 2);
      await play(store, script);
      const before = await store.getJournaledRun(script.runId);
      await store.close();
      const reopened = await factory.sibling(store);
      expect(await reopened.getRun(script.runId)).toStrictEqual(await reference(script));
      expect(await reopened.getJournaledRun(script.runId)).toStrictEqual(before);
      expect((await reopened.listEvents({ runId: script.runId })).map((e) => e.event.type)).toEqual(
        script.events.map((e) => e.type),
      );
    });

    test("two stores of one owner on one journal see each other's writes", async () => {
      const first = await factory.fresh({ owner: "instance-a" });
      const second = await factory.sibling(first, { owner: "instance-a" });
      const script = new RunScript(newRunId(), ["a", "b"]);
      await play(first, script);
      await second.record(script.stepStarted(0).events.at(-1)!);
      await first.record(script.stepCompleted(0, "ok").events.at(-1)!);
      expect(await second.getRun(script.runId)).toStrictEqual(await reference(script));
      expect((await second.listRuns()).map((run) => run.id)).toEqual([script.runId]);
    });

    test("leases a new run to the store's owner for its lease time", async () => {
      const store = await factory.fresh({ owner: "instance-a", leaseMs: HOUR });
      const script = new RunScript(newRunId(), ["a"]);
      await play(store, script);
      const journaled = (await store.getJournaledRun(script.runId))!;
      expect(journaled).toMatchObject({
        owner: "instance-a",
        recoveryAttempts: 0,
        parkedAt: null,
        lastSeq: expect.any(Number),
      });
      expect(journaled.leaseExpiresAt!.getTime() - journaled.heartbeatAt!.getTime()).toBe(HOUR);
      expect(await store.claimRun(script.runId, "instance-b", HOUR)).toBeNull();
    });

    test("of many concurrent claims on a free lease exactly one wins", async () => {
      const store = await factory.fresh({ leaseMs: 0 });
      const script = new RunScript(newRunId(), ["a"]);
      await play(store, script);
      const claimants = await Promise.all(Array.from({ length: 6 }, () => factory.sibling(store)));
      const leases = await Promise.all(
        claimants.map((claimant, i) => claimant.claimRun(script.runId, `claimant-${i}`, HOUR)),
      );
      const winners = leases.filter((lease) => lease !== null);
      expect(winners).toHaveLength(1);
      expect((await store.getJournaledRun(script.runId))!.owner).toBe(winners[0]!.owner);
    });

    test("an expired lease can be taken over, counting a recovery attempt; a live one cannot", async () => {
      const store = await factory.fresh({ owner: "crashed", leaseMs: 0 });
      const script = new RunScript(newRunId(), ["a", "b"]).completes(0, 1);
      await play(store, script);
      const lease = await store.claimRun(script.runId, "recoverer-1", HOUR);
      expect(lease).toMatchObject({ runId: script.runId, owner: "recoverer-1", recoveryAttempts: 1 });
      expect(lease!.expiresAt.getTime()).toBeGreaterThan(Date.now() + HOUR - 60_000);
      expect(await store.claimRun(script.runId, "recoverer-2", HOUR)).toBeNull();
      expect(await store.claimRun(script.runId, "recoverer-1", HOUR)).toMatchObject({ recoveryAttempts: 1 });
      expect(await store.claimRun(script.runId, "recoverer-1", 0)).not.toBeNull();
      expect(await store.claimRun(script.runId, "recoverer-2", HOUR)).toMatchObject({
        owner: "recoverer-2",
        recoveryAttempts: 2,
      });
    });

    test("prunes finished runs that ended before the cutoff, with their steps and events, in batches; never an unfinished one", async () => {
      const store = await factory.fresh({ owner: "runner", leaseMs: HOUR });
      const finished = await Promise.all(
        ["COMPLETED", "COMPENSATED", "FAILED"].map(async (status) => {
          const script = new RunScript(newRunId("old"), ["a"])
            .completes(0, 1)
            .finished(status as "COMPLETED", status === "COMPLETED" ? { result: 1 } : { error: failure("no") });
          await play(store, script);
          return script.runId;
        }),
      );
      const running = new RunScript(newRunId("running"), ["a"]).stepStarted(0);
      await play(store, running);
      const cutoff = new Date(Date.now() + 60_000);

      expect(await store.pruneFinishedRuns(cutoff, 2)).toBe(2);
      expect(await store.pruneFinishedRuns(cutoff, 2)).toBe(1);
      expect(await store.pruneFinishedRuns(cutoff, 2)).toBe(0);

      for (const runId of finished) {
        expect(await store.getJournaledRun(runId)).toBeNull();
        expect(await store.listEvents({ runId })).toEqual([]);
      }
      expect(await store.getJournaledRun(running.runId)).toMatchObject({ run: { status: "RUNNING" } });
      expect((await store.listEvents({ runId: running.runId })).length).toBeGreaterThan(0);
    });

    test("keeps finished runs that ended after the cutoff", async () => {
      const store = await factory.fresh({ owner: "runner", leaseMs: HOUR });
      const script = new RunScript(newRunId("recent"), ["a"], { startAt: Date.now() - T0 })
        .completes(0, 1)
        .finished("COMPLETED", { result: 1 });
      await play(store, script);
      expect(await store.pruneFinishedRuns(new Date(Date.now() - 60_000), 10)).toBe(0);
      expect(await store.getJournaledRun(script.runId)).not.toBeNull();
    });

    test("a live lease is taken over from the owner named as gone, and only from that owner", async () => {
      const store = await factory.fresh({ owner: "dead-process", leaseMs: HOUR });
      const script = new RunScript(newRunId(), ["a", "b"]).completes(0, 1);
      await play(store, script);
      expect(await store.claimRun(script.runId, "restarted", HOUR, "some-other-owner")).toBeNull();
      const lease = await store.claimRun(script.runId, "restarted", HOUR, "dead-process");
      expect(lease).toMatchObject({ owner: "restarted", recoveryAttempts: 1 });
      expect(
        await store.claimRun(script.runId, "late-recoverer", HOUR, "dead-process"),
        "already taken: the gone owner no longer holds it",
      ).toBeNull();
      await expect(
        store.record(script.stepStarted(1).events.at(-1)!),
        "the old owner's writes are refused",
      ).rejects.toMatchObject({ code: "RUN_LEASE_LOST" });
    });

    test("renewLease extends the owner's lease only; releaseRun frees it for another claimant", async () => {
      const store = await factory.fresh({ owner: "runner", leaseMs: HOUR });
      const script = new RunScript(newRunId(), ["a"]);
      await play(store, script);
      expect(await store.renewLease(script.runId, "runner", 2 * HOUR)).toBe(true);
      const renewed = (await store.getJournaledRun(script.runId))!;
      expect(renewed.leaseExpiresAt!.getTime() - renewed.heartbeatAt!.getTime()).toBe(2 * HOUR);
      expect(await store.renewLease(script.runId, "intruder", HOUR)).toBe(false);
      expect(await store.releaseRun(script.runId, "intruder")).toBe(false);
      expect(await store.releaseRun(script.runId, "runner")).toBe(true);
      expect(await store.getJournaledRun(script.runId)).toMatchObject({ owner: null, leaseExpiresAt: null });
      expect(await store.renewLease(script.runId, "runner", HOUR)).toBe(false);
      expect(await store.claimRun(script.runId, "other", HOUR)).toMatchObject({ owner: "other", recoveryAttempts: 1 });
    });

    test("finished runs cannot be claimed or renewed", async () => {
      const store = await factory.fresh({ owner: "runner", leaseMs: 0 });
      const script = new RunScript(newRunId(), ["a"]).completes(0, 1).finished("COMPLETED", { result: 1 });
      await play(store, script);
      expect(await store.claimRun(script.runId, "other", HOUR)).toBeNull();
      expect(await store.renewLease(script.runId, "runner", HOUR)).toBe(false);
      expect(await store.claimRun("no-such-run", "other", HOUR)).toBeNull();
    });

    test("refuses any event for a finished run and changes nothing: a terminal run is never reopened", async () => {
      const store = await factory.fresh();
      for (const status of ["COMPLETED", "COMPENSATED", "FAILED"] as const) {
        const script = new RunScript(newRunId(), ["a", "b"]).completes(0, 1).finished(status);
        await play(store, script);
        const before = await store.getJournaledRun(script.runId);
        const late = [
          { type: "step-started", runId: script.runId, step: "b", index: 1, attempt: 1, at: new Date() },
          {
            type: "run-compensating",
            runId: script.runId,
            failedStep: "b",
            error: failure("late"),
            rolledBack: false,
            at: new Date(),
          },
          { type: "run-finished", runId: script.runId, status: "COMPLETED", result: 2, at: new Date() },
        ] as const;
        for (const event of late) {
          const refused = store.record(event);
          await expect(refused).rejects.toBeInstanceOf(RunFinishedError);
          await expect(refused).rejects.toMatchObject({ code: "RUN_FINISHED", status });
        }
        expect(await store.getJournaledRun(script.runId)).toStrictEqual(before);
      }
    });

    test("refuses events from an owner whose run another instance took over, and accepts the new owner's", async () => {
      const zombie = await factory.fresh({ owner: "zombie", leaseMs: 0 });
      const recoverer = await factory.sibling(zombie, { owner: "recoverer" });
      const script = new RunScript(newRunId(), ["a", "b"]).completes(0, 1);
      await play(zombie, script);
      expect(await recoverer.claimRun(script.runId, "recoverer", HOUR)).not.toBeNull();
      const before = await zombie.getJournaledRun(script.runId);
      const stepEvent = {
        type: "step-started",
        runId: script.runId,
        step: "b",
        index: 1,
        attempt: 1,
        at: new Date(),
      } as const;
      const runEvent = {
        type: "run-finished",
        runId: script.runId,
        status: "COMPLETED",
        result: 2,
        at: new Date(),
      } as const;
      for (const event of [stepEvent, runEvent]) {
        const refused = zombie.record(event);
        await expect(refused).rejects.toBeInstanceOf(RunLeaseLostError);
        await expect(refused).rejects.toMatchObject({
          code: "RUN_LEASE_LOST",
          owner: "zombie",
          currentOwner: "recoverer",
        });
      }
      expect(await zombie.getJournaledRun(script.runId)).toStrictEqual(before);
      await recoverer.record(stepEvent);
      expect((await recoverer.getRun(script.runId))!.steps[1]).toMatchObject({ status: "RUNNING", attempts: 1 });
    });

    test("parking ends an unfinished run FAILED with RECOVERY_EXHAUSTED, journals it, and frees it for good", async () => {
      const store = await factory.fresh({ owner: "runner", leaseMs: HOUR });
      const script = new RunScript(newRunId(), ["a", "b", "c"]).completes(0, 1).stepStarted(1, 2);
      await play(store, script);
      expect(await store.parkRun(script.runId, "crashed its recoverer 4 times")).toBe(true);
      const parked = (await store.getJournaledRun(script.runId))!;
      expect(parked).toMatchObject({
        owner: null,
        leaseExpiresAt: null,
        parkReason: "crashed its recoverer 4 times",
        parkedAt: expect.any(Date),
      });
      expect(parked.run).toMatchObject({
        status: "FAILED",
        error: { name: "RecoveryExhaustedError", message: "crashed its recoverer 4 times", code: "RECOVERY_EXHAUSTED" },
        steps: [{ status: "COMPLETED" }, { status: "RUNNING", attempts: 2 }, { status: "SKIPPED" }],
      });
      expect((await store.listEvents({ runId: script.runId })).at(-1)!.event).toMatchObject({
        type: "run-finished",
        status: "FAILED",
      });
      expect(await store.parkRun(script.runId, "again")).toBe(false);
      expect(await store.parkRun("no-such-run", "never started")).toBe(false);
      expect(await store.claimRun(script.runId, "runner", HOUR)).toBeNull();
      await expect(
        store.record({
          type: "step-completed",
          runId: script.runId,
          step: "b",
          index: 1,
          attempts: 2,
          result: 1,
          data: {},
          at: new Date(),
        }),
      ).rejects.toBeInstanceOf(RunFinishedError);
      const changed = {
        name: "WorkflowDefinitionChangedError",
        message: "steps differ",
        code: "WORKFLOW_DEFINITION_CHANGED",
      };
      const other = new RunScript(newRunId(), ["a"]);
      await play(store, other);
      expect(await store.parkRun(other.runId, changed)).toBe(true);
      expect((await store.getRun(other.runId))!.error).toEqual(changed);
    });

    test("lists unfinished runs (RUNNING, COMPENSATING), oldest first, leaving out parked ones", async () => {
      const store = await factory.fresh({ owner: "a", leaseMs: HOUR });
      const expired = await factory.sibling(store, { owner: "b", leaseMs: 0 });
      const running = new RunScript(newRunId("running"), ["s"], { startAt: 1 }).stepStarted(0);
      const compensating = new RunScript(newRunId("compensating"), ["s", "t"], { startAt: 2 })
        .completes(0, 1)
        .compensating("t", failure("x"));
      const done = new RunScript(newRunId("done"), ["s"], { startAt: 3 })
        .completes(0, 1)
        .finished("COMPLETED", { result: 1 });
      const parked = new RunScript(newRunId("parked"), ["s"], { startAt: 4 });
      const stale = new RunScript(newRunId("stale"), ["s"], { startAt: 5 });
      await play(store, running, compensating, done, parked);
      await play(expired, stale);
      expect(await store.parkRun(parked.runId, "crashed its recoverer 5 times")).toBe(true);
      expect(await store.parkRun(done.runId, "finished")).toBe(false);
      const ids = (runs: { run: { id: string } }[]) => runs.map((journaled) => journaled.run.id);
      expect(ids(await store.listUnfinishedRuns())).toEqual([running.runId, compensating.runId, stale.runId]);
      expect(ids(await store.listUnfinishedRuns({ take: 1 }))).toEqual([running.runId]);
      expect(ids(await store.listUnfinishedRuns({ claimable: true }))).toEqual([stale.runId]);
      const [first] = await store.listUnfinishedRuns();
      expect(first!.run).toStrictEqual(await reference(running));
      expect(await store.getJournaledRun(parked.runId)).toMatchObject({
        parkReason: "crashed its recoverer 5 times",
        parkedAt: expect.any(Date),
        owner: null,
      });
      expect(await store.claimRun(parked.runId, "c", HOUR)).toBeNull();
    });

    test("claimRecoverableRuns hands each claimable run to exactly one of several concurrent sweepers", async () => {
      const store = await factory.fresh({ leaseMs: 0 });
      const scripts = Array.from({ length: 8 }, (_, i) => new RunScript(newRunId("sweep"), ["s"], { startAt: i }));
      await play(store, ...scripts);
      const sweepers = await Promise.all([0, 1, 2].map(() => factory.sibling(store)));
      const batches = await Promise.all(
        sweepers.map((sweeper, i) => sweeper.claimRecoverableRuns(`sweeper-${i}`, HOUR, 4)),
      );
      const claimed = batches.flat().map((lease) => lease.runId);
      expect(new Set(claimed).size).toBe(claimed.length);
      expect(claimed.length).toBeLessThanOrEqual(8);
      const rest = await store.claimRecoverableRuns("late", HOUR, 100);
      expect([...claimed, ...rest.map((lease) => lease.runId)].sort()).toEqual(scripts.map((s) => s.runId).sort());
      expect(await store.claimRecoverableRuns("later", HOUR, 100)).toEqual([]);
    });

    test("persists a step's attempt when it starts, so a crash mid-attempt grants no extra attempt", async () => {
      const store = await factory.fresh({ leaseMs: 0 });
      const script = new RunScript(newRunId(), ["charge", "ship"])
        .stepStarted(0, 1)
        .stepRetrying(0, 1, failure("flaky"))
        .stepStarted(0, 2);
      await play(store, script);
      await store.close();
      const afterCrash = await factory.sibling(store, { owner: "recoverer" });
      expect((await afterCrash.getJournaledRun(script.runId))!.run.steps[0]).toMatchObject({
        status: "RUNNING",
        attempts: 2,
      });
      expect(await afterCrash.claimRun(script.runId, "recoverer", 0)).not.toBeNull();
      script
        .stepCompleted(0, 1, {}, 2)
        .completes(1, 2)
        .compensating("x", failure("x"))
        .compensationStarted(1, 1)
        .compensationStarted(1, 2);
      for (const event of script.events.slice(4)) await afterCrash.record(event);
      expect((await afterCrash.getJournaledRun(script.runId))!.run.steps.map((s) => s.compensationAttempts)).toEqual([
        0, 2,
      ]);
    });

    // Stricter than the in-memory journal, whose applyRunEvent moves updatedAt before it finds the step missing.
    test("a rejected event changes nothing in the journal", async () => {
      const store = await factory.fresh();
      const script = new RunScript(newRunId(), ["a", "b"]).completes(0, "done");
      await play(store, script);
      const before = await store.getJournaledRun(script.runId);
      await expect(store.record(script.events[0]!)).rejects.toThrow(/already journaled/);
      await expect(
        store.record({ type: "step-started", runId: script.runId, step: "z", index: 7, attempt: 1, at: new Date() }),
      ).rejects.toThrow(/no step #7/);
      expect(await store.getJournaledRun(script.runId)).toStrictEqual(before);
      expect(await store.listEvents()).toHaveLength(script.events.length);
    });

    test("finds a run by workflow and idempotency key, with its input's hash", async () => {
      const store = await factory.fresh();
      const input = { paymentMethodId: "pm_card_visa", amount: 10 };
      const script = new RunScript(newRunId(), ["a"], { workflow: "order.checkout", idempotencyKey: "req-42", input });
      await play(store, script);
      const found = await store.findRunByIdempotencyKey("order.checkout", "req-42");
      expect(found!.run).toStrictEqual(await reference(script));
      expect(found!.inputHash).toBe(hashRunInput({ amount: 10, paymentMethodId: "pm_card_visa" }));
      expect(found!.inputHash).not.toBe(hashRunInput({ ...input, amount: 11 }));
      expect(await store.findRunByIdempotencyKey("order.checkout", "req-43")).toBeNull();
      expect(await store.findRunByIdempotencyKey("order.cancel", "req-42")).toBeNull();
    });

    test("rejects a second run of a workflow under a taken idempotency key, naming the first; other workflows may reuse it", async () => {
      const store = await factory.fresh();
      const other = await factory.sibling(store);
      const first = new RunScript(newRunId(), ["a"], { workflow: "order.checkout", idempotencyKey: "req-7" });
      const duplicate = new RunScript(newRunId(), ["a"], { workflow: "order.checkout", idempotencyKey: "req-7" });
      await play(store, first);
      const rejection = other.record(duplicate.events[0]!);
      await expect(rejection).rejects.toBeInstanceOf(IdempotencyKeyConflictError);
      await expect(rejection).rejects.toMatchObject({
        code: "IDEMPOTENCY_KEY_CONFLICT",
        runId: first.runId,
        idempotencyKey: "req-7",
      });
      expect(await store.getRun(duplicate.runId)).toBeNull();
      await play(store, new RunScript(newRunId(), ["a"], { workflow: "order.cancel", idempotencyKey: "req-7" }));
      await play(
        store,
        new RunScript(newRunId(), ["a"], { workflow: "order.checkout" }),
        new RunScript(newRunId(), ["a"], { workflow: "order.checkout" }),
      );
      expect(await store.listRuns({ workflow: "order.checkout" })).toHaveLength(3);
    });

    test("numbers events in one increasing sequence that a subscriber can resume from", async () => {
      const store = await factory.fresh();
      const other = await factory.sibling(store);
      const a = new RunScript(newRunId("a"), ["s"]).completes(0, 1);
      const b = new RunScript(newRunId("b"), ["s"]).stepStarted(0);
      await play(store, a);
      await play(other, b);
      const all = await store.listEvents();
      expect(all.map((e) => e.seq)).toEqual([...all.map((e) => e.seq)].sort((x, y) => x - y));
      expect(new Set(all.map((e) => e.seq)).size).toBe(5);
      expect(all.map((e) => e.event)).toEqual(
        [...a.events, ...b.events].map((event) => JSON.parse(JSON.stringify(event), dates)),
      );
      const afterThird = await store.listEvents({ afterSeq: all[2]!.seq });
      expect(afterThird.map((e) => e.seq)).toEqual(all.slice(3).map((e) => e.seq));
      expect((await store.listEvents({ runId: b.runId })).map((e) => e.event.type)).toEqual([
        "run-started",
        "step-started",
      ]);
      expect(await store.listEvents({ take: 2 })).toHaveLength(2);
      expect((await store.getJournaledRun(a.runId))!.lastSeq).toBe(all[2]!.seq);
    });

    test("creates its tables once when several stores open a new journal together", async () => {
      const stores = await factory.openTogether(4);
      await Promise.all(stores.map((store, i) => play(store, new RunScript(newRunId(`opener-${i}`), ["s"]))));
      for (const store of stores) expect(await store.listRuns()).toHaveLength(4);
    });
  });
}

function dates(key: string, value: unknown): unknown {
  return key === "at" && typeof value === "string" ? new Date(value) : value;
}
