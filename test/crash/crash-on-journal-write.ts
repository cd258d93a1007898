import type { DurableRunJournal } from "../../src/engine/journal/durable-run-journal.ts";
import type { RunControlRequest, RunEvent } from "../../src/engine/journal/run-events.ts";
import { crashPointMatches, crashPointOfKey, type CrashPoint } from "./crash-point.ts";

export interface CrashOnJournalWriteOptions {
  /** Crashes every run this process starts at this point (`SAGAQL_CRASH_AT`). @default none */
  point?: CrashPoint;
  /** Also arms the runs whose idempotency key names a point (`crash:<point>:<nonce>`). @default false */
  fromKeys?: boolean;
  /** Crashes every run this process recovers (one it did not see start) at this point (`SAGAQL_CRASH_RECOVERY_AT`). @default none */
  recoveryPoint?: CrashPoint;
  /** Sees every write before it is made (tracing which events share a write). @default none */
  onWrite?(events: readonly RunEvent[]): void;
  /** Called instead of the write that should not happen, or after the write that did; must not return. */
  crash(point: CrashPoint, events: readonly RunEvent[]): never;
}

/**
 * Wraps a journal so that the process dies at a chosen write. Only runs that start in this process are armed
 * (their `run-started` passes through here) — a run recovered from an earlier crash is finished normally — unless
 * `recoveryPoint` arms those too.
 * Both `record` and `recordAll` are watched, because the engine batches deferrable events with the next
 * critical one: a point names the write that carries its event. So is `requestCancel`, which any instance calls
 * to journal a `run-cancel-requested` event for a run (armed by the run's own key).
 */
export function crashOnJournalWrite(
  options: CrashOnJournalWriteOptions,
): (store: DurableRunJournal) => DurableRunJournal {
  return (store) => {
    const armed = new Map<string, CrashPoint | undefined>();
    const arm = (event: RunEvent) => {
      if (armed.has(event.runId)) return;
      if (event.type !== "run-started") return armed.set(event.runId, options.recoveryPoint);
      armed.set(event.runId, (options.fromKeys ? crashPointOfKey(event.idempotencyKey) : undefined) ?? options.point);
    };
    const pointOf = (events: readonly RunEvent[]): CrashPoint | undefined => {
      for (const event of events) {
        arm(event);
        const point = armed.get(event.runId);
        if (point && crashPointMatches(point, event)) return point;
      }
      return undefined;
    };
    const write = async (events: readonly RunEvent[], inner: () => Promise<void>): Promise<void> => {
      options.onWrite?.(events);
      const point = pointOf(events);
      if (point?.when === "before") options.crash(point, events);
      await inner();
      if (point) options.crash(point, events);
    };
    const record = (event: RunEvent) => write([event], () => store.record(event));
    const recordAll =
      store.recordAll && ((events: readonly RunEvent[]) => write(events, () => store.recordAll!(events)));
    const requestCancel = async (runId: string, request: RunControlRequest): Promise<boolean> => {
      let requested = false;
      await write(
        [{ type: "run-cancel-requested", runId, ...request, at: new Date() }],
        async () => void (requested = await store.requestCancel(runId, request)),
      );
      return requested;
    };
    // Everything else (leases, reads, events) goes to the real store; its methods need it as `this`.
    return new Proxy(store, {
      get(target, property) {
        if (property === "record") return record;
        if (property === "recordAll") return recordAll;
        if (property === "requestCancel") return requestCancel;
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  };
}

/** One journal write, for logs: its run and its events as `type` or `type:step`. */
export function describeWrite(events: readonly RunEvent[]): { runId: string | undefined; write: string[] } {
  return { runId: events[0]?.runId, write: events.map(eventLabel) };
}

export function eventLabel(event: RunEvent): string {
  return "step" in event ? `${event.type}:${event.step}` : event.type;
}
