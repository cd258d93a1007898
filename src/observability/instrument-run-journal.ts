import { performance } from "node:perf_hooks";
import type { DurableRunJournal, JournaledRun, RunLease } from "../engine/journal/durable-run-journal.ts";
import type { RunEvent } from "../engine/journal/run-events.ts";
import type { RawQuery } from "../engine/journal/run-journal.ts";
import type { JournalWrite, RunMetrics } from "./run-metrics.ts";

/**
 * The same journal, reporting to `metrics`: each write's latency, and its events once they are durable — after
 * the write resolved, or for events written through a database step's transaction, once it committed (`announce`).
 * `observers` (e.g. `RunTracing`) see the same durable events. Every other call passes through untouched.
 */
export function instrumentRunJournal(
  store: DurableRunJournal,
  metrics: RunMetrics,
  ...observers: Array<{ observe(event: RunEvent): void }>
): DurableRunJournal {
  const observe = (event: RunEvent) => {
    metrics.observe(event);
    for (const observer of observers) observer.observe(event);
  };
  const timed = async <T>(kind: JournalWrite, events: readonly RunEvent[], write: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await write();
    metrics.journalWrite(kind, (performance.now() - started) / 1000);
    if (kind !== "through") for (const event of events) observe(event);
    return result;
  };
  const overrides: Partial<DurableRunJournal> = {
    record: (event: RunEvent) => timed("record", [event], () => store.record(event)),
    claimRecoverableRuns: async (owner: string, leaseMs: number, take?: number): Promise<RunLease[]> => {
      const leases = await store.claimRecoverableRuns(owner, leaseMs, take);
      metrics.tookOver(leases.length);
      return leases;
    },
    claimRun: async (runId: string, owner: string, leaseMs: number, goneOwner?: string): Promise<RunLease | null> => {
      const lease = await store.claimRun(runId, owner, leaseMs, goneOwner);
      if (lease && goneOwner !== undefined) metrics.tookOver(1);
      return lease;
    },
    getJournaledRun: async (runId: string): Promise<JournaledRun | null> => {
      const journaled = await store.getJournaledRun(runId);
      if (journaled) metrics.noteWorkflow(runId, journaled.run.workflow);
      return journaled;
    },
  };
  if (store.recordAll) overrides.recordAll = (events) => timed("recordAll", events, () => store.recordAll!(events));
  if (store.recordAllThrough) {
    overrides.recordAllThrough = (query: RawQuery, events: readonly RunEvent[]) =>
      timed("through", events, async () => {
        const batch = await store.recordAllThrough!(query, events);
        return {
          announce: () => {
            for (const event of events) observe(event);
            batch.announce();
          },
        };
      });
  }
  return new Proxy(store, {
    get(target, property, receiver) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof DurableRunJournal];
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
