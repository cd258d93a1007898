import type { RunEvent, RunStatus } from "./run-events.ts";
import type { RunSnapshot } from "./run-snapshot.ts";

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
  getRun(runId: string): Promise<RunSnapshot | null>;
  listRuns(filter?: ListRunsFilter): Promise<RunSnapshot[]>;
  close?(): Promise<void>;
}
