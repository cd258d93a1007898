import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import type { RunEvent } from "../saga/run-events.ts";
import type { RunSnapshot } from "../saga/run-snapshot.ts";
import type { RunStore } from "../saga/run-store.ts";

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
  /** Set when recovery gave up on the run (dead letter); parked runs are never claimed again. */
  parkedAt: Date | null;
  parkReason: string | null;
  /** Sequence number of the run's latest event. */
  lastSeq: number;
  /** Compensation attempts of each step, by step index, persisted on `compensation-started`. */
  compensationAttempts: number[];
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
 * The journal port recovery needs on top of `RunStore`: durable runs, idempotency keys, leases, an event stream.
 * It belongs next to `RunStore` in src/saga once the engine uses it; it lives here until then.
 *
 * Leases: `record(run-started)` leases the new run to the store's `owner` for its `leaseMs`, so no recoverer
 * takes over a run that is still executing. The executor renews it; a recoverer claims runs whose lease expired.
 */
export interface DurableRunStore extends RunStore {
  /** The owner that `record(run-started)` leases new runs to. */
  readonly owner: string;
  getJournaledRun(runId: string): Promise<JournaledRun | null>;
  findRunByIdempotencyKey(workflow: string, idempotencyKey: string): Promise<JournaledRun | null>;
  /** Runs still RUNNING or COMPENSATING and not parked, oldest first. */
  listUnfinishedRuns(filter?: UnfinishedRunsFilter): Promise<JournaledRun[]>;
  /**
   * Takes the lease when it is free, expired or already `owner`'s; of concurrent claimants exactly one wins.
   * Returns null when another owner holds a live lease, or the run is finished, parked or unknown.
   */
  claimRun(runId: string, owner: string, leaseMs: number): Promise<RunLease | null>;
  /** Claims up to `take` claimable unfinished runs, oldest first, skipping those another instance is claiming. */
  claimRecoverableRuns(owner: string, leaseMs: number, take?: number): Promise<RunLease[]>;
  /** Extends `owner`'s lease; false when the run is no longer `owner`'s (it was taken over) or finished. */
  renewLease(runId: string, owner: string, leaseMs: number): Promise<boolean>;
  /** Gives the lease up so another instance may claim the run at once; false when `owner` did not hold it. */
  releaseRun(runId: string, owner: string): Promise<boolean>;
  /** Parks an unfinished run (dead letter): it stays unfinished for a person to look at, and is never claimed. */
  parkRun(runId: string, reason: string): Promise<boolean>;
  /** Journaled events in sequence order, for streaming transitions and catching up after a disconnect. */
  listEvents(filter?: ListEventsFilter): Promise<JournaledEvent[]>;
  /** Closes the store's own connections. */
  close(): Promise<void>;
}

/**
 * `record(run-started)` used an idempotency key that another run of the same workflow already has: a duplicate
 * request lost the race. Look the winner up with `findRunByIdempotencyKey`.
 */
export class IdempotencyKeyConflictError extends Error {
  readonly code = "IDEMPOTENCY_KEY_CONFLICT";
  constructor(readonly workflow: string, readonly idempotencyKey: string, readonly runId: string) {
    super(`Workflow "${workflow}" already has a run with idempotency key "${idempotencyKey}"`);
    this.name = "IdempotencyKeyConflictError";
  }
}

/** Options both SQL stores share. */
export interface DurableRunStoreOptions {
  /** Who `record(run-started)` leases new runs to. @default `${hostname}:${pid}:${random}` — unique per process */
  owner?: string;
  /** Length of the lease a new run starts with, in ms. @default 30000 */
  leaseMs?: number;
}

export const DEFAULT_LEASE_MS = 30_000;

export function defaultRunOwner(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

export const UNFINISHED_STATUSES = ["RUNNING", "COMPENSATING"] as const;
