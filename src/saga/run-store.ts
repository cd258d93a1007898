import type { RunEvent, RunStatus } from "./run-events.ts";
import type { RunSnapshot } from "./run-snapshot.ts";

/** Runs SQL (parameters `$1…$n`) on one connection — inside the caller's transaction, if it has one. */
export type RawQuery = (sql: string, values: readonly unknown[]) => Promise<ReadonlyArray<Record<string, unknown>>>;

export interface ListRunsFilter {
  status?: RunStatus;
  workflow?: string;
  /** Newest first, at most this many. @default 50 */
  take?: number;
}

/**
 * The journal port. `record` must make the event durable before it resolves: the engine awaits it before
 * the step's side effect starts, which is what lets a restarted process know what already happened.
 * It must also stay independent of the workflow's own transaction, so a rollback never erases the record.
 */
export interface RunStore {
  record(event: RunEvent): Promise<void>;
  /**
   * Records several events of one run, in order, as one atomic write (one commit, one round trip where the
   * database allows). The engine batches the events that need not be durable on their own with the next one
   * that must be. @default `record` for each event in turn
   */
  recordAll?(events: readonly RunEvent[]): Promise<void>;
  /**
   * Records events inside a transaction of the app database that the caller controls (`query` runs on its
   * connection), for a journal kept in that same database: they commit or roll back with the transaction's own
   * writes and cost no commit of their own. Call `announce()` on the result once that transaction committed.
   * Absent on journals kept elsewhere (a SQLite journal has its own file).
   */
  recordAllThrough?(query: RawQuery, events: readonly RunEvent[]): Promise<{ announce(): void }>;
  /** Whether `query` reaches this very journal, so that `recordAllThrough` may use it. */
  reaches?(query: RawQuery): Promise<boolean>;
  /**
   * The unfinished run that holds `resourceKey` (see `run-started`'s `resourceKey`), or null. Stores that keep
   * no holds omit it, and then nothing is refused for being held.
   */
  findRunHolding?(resourceKey: string): Promise<string | null>;
  getRun(runId: string): Promise<RunSnapshot | null>;
  listRuns(filter?: ListRunsFilter): Promise<RunSnapshot[]>;
  close?(): Promise<void>;
}
