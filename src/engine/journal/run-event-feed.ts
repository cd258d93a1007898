import type { RunEvent } from "./run-events.ts";
import type { RunJournal } from "./run-journal.ts";

/**
 * Called when the journal holds new events of a run. It is a wake-up call, not the event itself: several
 * events may arrive as one call, and a call may come with nothing new (after a reconnect, say). The listener
 * reads what changed from the journal (`listEvents({ runId, afterSeq })`), so nothing is lost either way.
 * `seq` is the newest sequence number the feed knows of, when it knows one.
 */
export type RunEventListener = (seq: number | undefined) => void;

/**
 * The port live progress is built on: who wants to hear of a run's new journal events, told once they are
 * committed. Implementations work across processes sharing one journal (PostgreSQL `LISTEN`, SQLite polling).
 */
export interface RunEventFeed {
  /** Starts telling `listener` about new events of run `runId`; the returned function stops it (safe to call twice). */
  subscribe(runId: string, listener: RunEventListener): () => void;
  /**
   * This process just journaled events of `runId`. A feed that would otherwise learn of them late (polling)
   * tells its subscribers at once; a feed the database notifies promptly has no need of it.
   */
  announce?(runId: string): void;
  /** Stops listening and releases the feed's connection or timer; subscribers hear nothing more. */
  close(): Promise<void>;
}

/**
 * `store`, with every successful `record`/`recordAll` announced to `feed`: subscribers in this process hear of
 * the runs it executes as soon as their events commit. `store` itself when the feed needs no announcements.
 * Everything else passes through untouched (methods stay bound to `store`, whose private state they use).
 */
export function announcingRunJournal<S extends RunJournal>(store: S, feed: RunEventFeed): S {
  if (!feed.announce) return store;
  const announce = (events: readonly RunEvent[]) => {
    for (const runId of new Set(events.map((event) => event.runId))) feed.announce?.(runId);
  };
  const record = async (event: RunEvent) => {
    await store.record(event);
    announce([event]);
  };
  const recordAll = async (events: readonly RunEvent[]) => {
    await store.recordAll!(events);
    announce(events);
  };
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, key) {
      if (key === "record") return record;
      if (key === "recordAll" && target.recordAll) return recordAll;
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      if (!bound.has(key)) bound.set(key, value.bind(target));
      return bound.get(key);
    },
  });
}
