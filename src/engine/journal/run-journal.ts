import type { RunEvent, RunStatus } from "./run-events.ts";
import type { RunSnapshot } from "./run-snapshot.ts";

/** Runs SQL (parameters `$1…$n`) on one connection — inside the caller's transaction, if it has one. */
export type RawQuery = (sql: string, values: readonly unknown[]) => Promise<ReadonlyArray<Record<string, unknown>>>;

export interface ListRunsFilter {
  status?: RunStatus;
  workflow?: string;
  /** Newest first, at most this many. @default 50 */
  take?: number;
  /** Leaves out this many of the newest matching runs first: the next page. @default 0 */
  skip?: number;
  /** Only runs created at or after this time. @default no bound */
  createdAfter?: Date;
  /** Only runs created before this time. @default no bound */
  createdBefore?: Date;
  /** Leaves out the runs a caller may not see. @default every run is listed */
  visible?: RunVisibilityFilter;
}

/**
 * Which runs a list may hold, by workflow: those of `hiddenWorkflows` none, those named in `resourceIds` only the
 * runs on one of the resources listed for them, every other workflow all its runs.
 */
export interface RunVisibilityFilter {
  hiddenWorkflows: readonly string[];
  resourceIds: Readonly<Record<string, readonly string[]>>;
}

/** The filter's three lists as JSON text, the one parameter shape both SQL journals read in a query. */
export function visibilityParams(visible: RunVisibilityFilter): {
  hidden: string;
  keyedWorkflows: string;
  keys: string;
} {
  const keys = Object.entries(visible.resourceIds).flatMap(([workflow, ids]) => ids.map((id) => `${workflow} ${id}`));
  return {
    hidden: JSON.stringify(visible.hiddenWorkflows),
    keyedWorkflows: JSON.stringify(Object.keys(visible.resourceIds)),
    keys: JSON.stringify(keys),
  };
}

/** Whether a run is visible under the filter, for journals that list in memory. */
export function isVisibleRun(
  run: { workflow: string; resourceId: string | null },
  visible: RunVisibilityFilter | undefined,
): boolean {
  if (!visible) return true;
  if (visible.hiddenWorkflows.includes(run.workflow)) return false;
  const ids = Object.hasOwn(visible.resourceIds, run.workflow) ? visible.resourceIds[run.workflow] : undefined;
  return ids === undefined || (run.resourceId !== null && ids.includes(run.resourceId));
}

/**
 * The journal port. `record` must make the event durable before it resolves: the engine awaits it before
 * the step's side effect starts, which is what lets a restarted process know what already happened.
 * It must also stay independent of the workflow's own transaction, so a rollback never erases the record.
 */
export interface RunJournal {
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
