import type { DurableRunJournal } from "../../src/engine/journal/durable-run-journal.ts";
import type { RunEvent } from "../../src/engine/journal/run-events.ts";

export type EventMatcher = (event: RunEvent) => boolean;

export interface InterruptingRunJournal {
  store: DurableRunJournal;
  /** True once the simulated crash happened. */
  readonly crashed: boolean;
}

/**
 * A journal that "crashes" in-process: the first write whose batch contains an event `matches` throws — before
 * it reaches the journal (`when: "before"`) or right after it became durable (`"after"`) — and every later write
 * throws too, as nothing more reaches the journal of a process that died. Everything else is the real store.
 */
export function interruptingRunJournal(
  target: DurableRunJournal,
  matches: EventMatcher,
  when: "before" | "after" = "before",
): InterruptingRunJournal {
  let crashed = false;
  const write = async (events: readonly RunEvent[], commit: () => Promise<void>) => {
    if (crashed) throw new Error("simulated crash: the process is gone");
    const hit = events.some(matches);
    if (hit && when === "before") crashed = true;
    if (crashed) throw new Error("simulated crash before the write");
    await commit();
    if (hit) {
      crashed = true;
      throw new Error("simulated crash after the write");
    }
  };
  const store = new Proxy(target, {
    get(object, property) {
      if (property === "record") return (event: RunEvent) => write([event], () => object.record(event));
      // Inside the caller's transaction: a crash "after" the write still rolls it back, like one "before".
      if (property === "recordAllThrough") {
        type Through = NonNullable<DurableRunJournal["recordAllThrough"]>;
        return async (...args: Parameters<Through>) => {
          let batch: Awaited<ReturnType<Through>> | undefined;
          await write(args[1], async () => void (batch = await object.recordAllThrough!(...args)));
          return batch!;
        };
      }
      if (property === "recordAll")
        return (events: readonly RunEvent[]) =>
          write(events, () => (object.recordAll ? object.recordAll(events) : recordEach(object, events)));
      // A heartbeat from a dead process renews nothing.
      if (property === "renewLease")
        return (...args: Parameters<DurableRunJournal["renewLease"]>) =>
          crashed ? Promise.resolve(false) : object.renewLease(...args);
      const value = Reflect.get(object, property, object) as unknown;
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
  });
  return {
    store,
    get crashed() {
      return crashed;
    },
  };
}

async function recordEach(store: DurableRunJournal, events: readonly RunEvent[]): Promise<void> {
  for (const event of events) await store.record(event);
}

/** Matches an event by type and, for step-level events, step name (and attempt, when given). */
export function eventIs(type: RunEvent["type"], step?: string, attempt?: number): EventMatcher {
  return (event) =>
    event.type === type &&
    (step === undefined || ("step" in event && event.step === step)) &&
    (attempt === undefined || ("attempt" in event && event.attempt === attempt));
}
