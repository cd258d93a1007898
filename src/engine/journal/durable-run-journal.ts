import type { SerializedError } from "../errors.ts";
import type { RunControlRequest, RunEvent, RunStatus } from "./run-events.ts";
import type { RunSnapshot } from "./run-snapshot.ts";
import type { RunJournal } from "./run-journal.ts";

/** A run as the journal holds it: the public snapshot plus what recovery and duplicate requests need. */
export interface JournaledRun {
  run: RunSnapshot;
  /** `hashRunInput(input)` of the run's input, to tell a replayed request from a different one under the same key. */
  inputHash: string;
  /** The instance executing the run, or null once it released it. */
  owner: string | null;
  /** When the owner's lease runs out; after it, another instance may claim the run. */
  leaseExpiresAt: Date | null;
  heartbeatAt: Date | null;
  /** How many times an instance other than the last owner took the run over. */
  recoveryAttempts: number;
  /** Set when the run was parked (dead letter): it ended FAILED and is never claimed again. */
  parkedAt: Date | null;
  parkReason: string | null;
  /** Sequence number of the run's latest event. */
  lastSeq: number;
}

/** Proof of ownership of a run until `expiresAt`, measured on the journal database's clock. */
export interface RunLease {
  runId: string;
  owner: string;
  expiresAt: Date;
  recoveryAttempts: number;
}

/** One journaled event and its place in the journal's total order. */
export interface JournaledEvent {
  seq: number;
  event: RunEvent;
}

export interface ListEventsFilter {
  runId?: string;
  /** Only events with a greater sequence number: where a subscriber left off. @default 0 */
  afterSeq?: number;
  /** At most this many, oldest first. @default 1000 */
  take?: number;
}

export interface UnfinishedRunsFilter {
  /** Only runs whose lease is free or expired. @default false */
  claimable?: boolean;
  /** Oldest first, at most this many. @default 100 */
  take?: number;
}

/**
 * The journal port recovery and several instances need on top of `RunJournal`: durable runs, idempotency keys,
 * leases, an event stream.
 *
 * Leases: `record(run-started)` leases the new run to the store's `owner` for `leaseMs`, so no recoverer takes
 * over a run that is still executing. The executor renews it (a heartbeat); a recoverer claims runs whose
 * lease expired. `record` accepts an event only while the run is unfinished and still owned by this store's
 * `owner` (checked in the statement that writes the event): a terminal run is never reopened
 * (`RunFinishedError`), and an instance whose run was taken over learns it at its next write (`RunLeaseLostError`).
 */
export interface DurableRunJournal extends RunJournal {
  /** Identifies this instance: new runs are leased to it, and only its own runs accept its events. */
  readonly owner: string;
  /** Length of the lease `record(run-started)` grants, in ms; executors renew it about every third of that. */
  readonly leaseMs: number;
  getJournaledRun(runId: string): Promise<JournaledRun | null>;
  findRunByIdempotencyKey(workflow: string, idempotencyKey: string): Promise<JournaledRun | null>;
  /** Runs still RUNNING or COMPENSATING, oldest first. */
  listUnfinishedRuns(filter?: UnfinishedRunsFilter): Promise<JournaledRun[]>;
  /**
   * Takes the lease when it is free, expired or already `owner`'s — or held by `goneOwner`, an owner the caller
   * proved gone (see `ownerIsGone`), whatever its lease says; of concurrent claimants exactly one wins.
   * Returns null when another owner holds a live lease, or the run is finished or unknown.
   */
  claimRun(runId: string, owner: string, leaseMs: number, goneOwner?: string): Promise<RunLease | null>;
  /** Claims up to `take` claimable unfinished runs, oldest first, skipping those another instance is claiming. */
  claimRecoverableRuns(owner: string, leaseMs: number, take?: number): Promise<RunLease[]>;
  /** Extends `owner`'s lease; false when the run is no longer `owner`'s (it was taken over) or finished. */
  renewLease(runId: string, owner: string, leaseMs: number): Promise<boolean>;
  /** Gives the lease up so another instance may claim the run at once; false when `owner` did not hold it. */
  releaseRun(runId: string, owner: string): Promise<boolean>;
  /**
   * Parks an unfinished run (dead letter): ends it FAILED with `reason` as its error, journals that as a
   * `run-finished` event, and frees its lease; it is never claimed again and a person must look at it.
   * A string reason becomes an error with code `RECOVERY_EXHAUSTED`. False when the run is finished or unknown.
   */
  parkRun(runId: string, reason: string | SerializedError): Promise<boolean>;
  /**
   * Deletes up to `take` runs that ended (COMPLETED, COMPENSATED, FAILED or CANCELLED) before `endedBefore`, with their
   * steps and events, oldest first; never a running or compensating one. Returns how many it deleted. A pruned
   * run's idempotency key is free again: keep runs longer than any client may resend a key.
   */
  pruneFinishedRuns(endedBefore: Date, take: number): Promise<number>;
  /**
   * Journals a `run-cancel-requested` event for an unfinished run, whoever owns it (any instance may ask; the
   * owner hears of it through `cancelRequests` and stops the run). Only the first request is kept on the run.
   * False when the run is finished or unknown.
   */
  requestCancel(runId: string, request: RunControlRequest): Promise<boolean>;
  /** Of `runIds`, the unfinished ones someone asked to cancel, with the request. One query for them all. */
  cancelRequests(runIds: readonly string[]): Promise<Map<string, RunControlRequest>>;
  /**
   * Opens a FAILED run again for `owner` (who must then execute it), journaling `event` (`run-reopened`): the run
   * takes `event.status`, is no longer parked, has its takeover count reset and is leased to `owner`. A retry
   * makes its failed compensations due again (COMPENSATION_FAILED steps count as COMPLETED, their attempt count
   * reset); a resume makes the steps parking skipped due again. Null unless the run is still FAILED at `lastSeq`
   * (so of two concurrent reopeners exactly one wins).
   */
  reopenRun(
    event: Extract<RunEvent, { type: "run-reopened" }>,
    owner: string,
    lastSeq: number,
  ): Promise<RunLease | null>;
  /** Journaled events in sequence order, for streaming transitions and catching up after a disconnect. */
  listEvents(filter?: ListEventsFilter): Promise<JournaledEvent[]>;
  /** Closes the store's own connections. */
  close(): Promise<void>;
}

export const UNFINISHED_STATUSES = ["RUNNING", "COMPENSATING"] as const;
export const TERMINAL_STATUSES = ["COMPLETED", "COMPENSATED", "FAILED", "CANCELLED"] as const;

export function isTerminalStatus(status: RunStatus): status is (typeof TERMINAL_STATUSES)[number] {
  return status === "COMPLETED" || status === "COMPENSATED" || status === "FAILED" || status === "CANCELLED";
}

/** Lets the engine use leases and heartbeats when the store it was given has them. */
export function isDurableRunJournal(store: RunJournal | undefined): store is DurableRunJournal {
  return (
    store !== undefined &&
    typeof (store as Partial<DurableRunJournal>).renewLease === "function" &&
    typeof (store as Partial<DurableRunJournal>).owner === "string"
  );
}

/** The error a parked run ends with when `parkRun` is given a plain reason. */
export function recoveryExhausted(reason: string): SerializedError {
  return { name: "RecoveryExhaustedError", message: reason, code: "RECOVERY_EXHAUSTED" };
}
