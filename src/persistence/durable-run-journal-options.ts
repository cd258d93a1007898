import { newRunOwner } from "../engine/recovery/run-owner.ts";

// The port lives in the engine (src/engine/journal/durable-run-journal.ts); re-exported here for the modules that import it from here.
export {
  isDurableRunJournal,
  UNFINISHED_STATUSES,
  TERMINAL_STATUSES,
  type DurableRunJournal,
  type JournaledEvent,
  type JournaledRun,
  type ListEventsFilter,
  type RunLease,
  type UnfinishedRunsFilter,
} from "../engine/journal/durable-run-journal.ts";
export { IdempotencyKeyConflictError } from "../engine/errors.ts";

/** Options both SQL journals share. */
export interface DurableRunJournalOptions {
  /**
   * Who `record(run-started)` leases new runs to. @default `newRunOwner()`: unique per store, naming this process
   * (and `SAGAQL_INSTANCE_ID`) so that a restart can prove it gone and take its runs over at once
   */
  owner?: string;
  /** Length of the lease a new run starts with, in ms. @default 30000 */
  leaseMs?: number;
}

export const DEFAULT_LEASE_MS = 30_000;

export function defaultRunOwner(): string {
  return newRunOwner();
}
