import { setTimeout as sleep } from "node:timers/promises";
import { hashRunInput } from "../persistence/run-journal-json.ts";
import { isTerminalStatus } from "../engine/journal/durable-run-journal.ts";
import { causeMatching, errorCode } from "../engine/errors.ts";
import type { WorkflowOutcome } from "../engine/execution/execute-workflow.ts";
import type { RunSnapshot } from "../engine/journal/run-snapshot.ts";
import type { RunJournal } from "../engine/journal/run-journal.ts";
import { waitOutTransient } from "../engine/execution/wait-out-transient.ts";
import type { TransientRetryOptions } from "../engine/execution/wait-policy.ts";
import { IdempotencyConflictError, RunInProgressError, ValidationError } from "./action-errors.ts";
import { outcomeOfFinishedRun } from "./idempotent-replay.ts";

/** Longest idempotency key accepted: what clients send is usually a UUID; this leaves room for prefixes. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
/** How long a duplicate request waits for the run its key names to end, by default. */
export const DEFAULT_IDEMPOTENCY_WAIT_MS = 15_000;

// Polling starts fast (a duplicate usually arrives while a short run is about to end) and backs off.
const FIRST_POLL_MS = 10;
const MAX_POLL_MS = 250;

/** A run found by its idempotency key; `inputHash` is `hashRunInput(input)` when the store keeps it. */
export interface KeyedRun {
  run: RunSnapshot;
  inputHash?: string;
}

/** What idempotency keys need from a run journal. Every durable journal has it, and so does `InMemoryRunJournal`. */
export interface IdempotencyKeyIndex {
  findRunByIdempotencyKey(workflow: string, idempotencyKey: string): Promise<KeyedRun | null>;
}

export type KeyedRunJournal = RunJournal & IdempotencyKeyIndex;

/** One keyed request, after validation, authorization and the resource check. */
export interface IdempotentRequest {
  workflow: string;
  key: string;
  input: unknown;
  /** The row the action runs on; null for actions without a resource. */
  resourceId: string | null;
  /** How long to wait for a run of the same key still in progress, in ms. */
  waitMs: number;
  /** How the journal reads wait out a lost connection or a busy database: the workflow's. @default its default */
  transientRetry?: TransientRetryOptions;
}

export interface IdempotentOutcome {
  outcome: WorkflowOutcome<unknown>;
  /** True when an earlier request under the same key ran the workflow and this is its outcome again. */
  replayed: boolean;
}

/**
 * Refuses a key that is empty or too long, or one the store cannot look runs up by. Returns the store, typed
 * for `runIdempotently`, or undefined when no key was given.
 */
export function keyedStore(key: string | undefined, store: RunJournal): KeyedRunJournal | undefined {
  if (key === undefined) return undefined;
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    const message = `must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters long`;
    throw new ValidationError(`Invalid idempotencyKey: ${message}`, [{ field: "idempotencyKey", message }]);
  }
  if (typeof (store as Partial<IdempotencyKeyIndex>).findRunByIdempotencyKey !== "function") {
    const message = "is not supported by this server: its run journal cannot find runs by idempotency key";
    throw new ValidationError(`idempotencyKey ${message}`, [{ field: "idempotencyKey", message }]);
  }
  return store as KeyedRunJournal;
}

/**
 * Runs the workflow once per key: an earlier run under the key is replayed (waiting, bounded, for one still in
 * progress) instead of running again. When two requests both find no run, the store lets only one start; the
 * other's start is refused before any step ran, and it replays the winner.
 */
export async function runIdempotently(
  store: KeyedRunJournal,
  request: IdempotentRequest,
  execute: () => Promise<WorkflowOutcome<unknown>>,
): Promise<IdempotentOutcome> {
  const find = () =>
    waitOutTransient(() => store.findRunByIdempotencyKey(request.workflow, request.key), request.transientRetry);
  const earlier = await find();
  if (earlier) return replay(store, request, earlier);
  try {
    return { outcome: await execute(), replayed: false };
  } catch (error) {
    if (!isKeyConflict(error)) throw error;
    const winner = await find();
    if (!winner) throw error;
    return replay(store, request, winner);
  }
}

async function replay(store: RunJournal, request: IdempotentRequest, earlier: KeyedRun): Promise<IdempotentOutcome> {
  const run = checkSameRequest(earlier, request);
  const finished = isTerminalStatus(run.status)
    ? run
    : await waitForEnd(store, run.id, request.waitMs, request.key, request.transientRetry);
  return { outcome: outcomeOfFinishedRun(finished), replayed: true };
}

/** The run the key names, if the request is the same one (the same id and input); else `IdempotencyConflictError`. */
export function checkSameRequest(earlier: KeyedRun, request: IdempotentRequest): RunSnapshot {
  const { run } = earlier;
  if (run.resourceId !== request.resourceId) throw new IdempotencyConflictError(run.id, request.key, "resource");
  if ((earlier.inputHash ?? hashRunInput(run.input)) !== hashRunInput(request.input))
    throw new IdempotencyConflictError(run.id, request.key, "input");
  return run;
}

/** The store's refusal of the run's start, however deep the engine wrapped it. */
function isKeyConflict(error: unknown): boolean {
  return causeMatching(error, (candidate) => errorCode(candidate) === "IDEMPOTENCY_KEY_CONFLICT") !== undefined;
}

/**
 * Polls the journal until the run ends; past `waitMs`, the client is told to come back later (with its key, or by
 * reading the run).
 */
export async function waitForEnd(
  store: RunJournal,
  runId: string,
  waitMs: number,
  key: string | null,
  transientRetry?: IdempotentRequest["transientRetry"],
): Promise<RunSnapshot> {
  const deadline = Date.now() + waitMs;
  for (let delay = FIRST_POLL_MS; ; delay = Math.min(delay * 2, MAX_POLL_MS)) {
    const left = deadline - Date.now();
    if (left <= 0) throw new RunInProgressError(runId, key);
    await sleep(Math.min(delay, left));
    const run = await waitOutTransient(() => store.getRun(runId), transientRetry);
    if (!run) throw new Error(`Run ${runId} disappeared from the journal while a duplicate request waited for it`);
    if (isTerminalStatus(run.status)) return run;
  }
}
