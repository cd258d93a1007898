import { COMMIT_CHECKPOINT_KEY, type CheckpointOutput } from "./checkpoint-keys.ts";
import { compensateCompleted, type CompensationReport } from "./compensate.ts";
import { replaceData } from "../definition/context.ts";
import type { WorkflowDefinition } from "../definition/define-workflow.ts";
import {
  DatabaseUnavailableError,
  errorCode,
  errorMessage,
  RunShutdownError,
  ForwardRecoveryExhaustedError,
  serializeError,
  TransactionCommitError,
  type SerializedError,
} from "../errors.ts";
import type { WorkflowFailure, WorkflowOutcome, WorkflowSuccess } from "./execute-workflow.ts";
import { settleInDoubtStep } from "./in-doubt-step.ts";
import { JournalWriteError } from "../journal/journal-writer.ts";
import type { ReplayLog, RunState, StepFailure } from "./run-state.ts";
import { pivotCompleted } from "../definition/pivot.ts";
import { sleep } from "./retry.ts";
import { runSteps } from "./run-steps.ts";
import { isTransientDatabaseError } from "./transient-error.ts";
import { forwardWaits, TRANSIENT_FOR_MS, transientWaits, type Waits } from "./wait-policy.ts";

type AnyWorkflow = WorkflowDefinition<never, unknown>;

/** Runs the remaining steps — in one transaction when the workflow asks for it — and settles the run. */
export async function proceed<Out>(run: RunState, definition: AnyWorkflow): Promise<WorkflowOutcome<Out>> {
  const failure = definition.options.useTransaction ? await runInTransaction(run) : await runStepsForward(run);
  if (!failure) return finishCompleted<Out>(run);
  return failure.stuckAfterPivot ? finishStuck(run, failure) : finishFailed(run, failure);
}

/** Whether a run's failure is a cancel: it then ends CANCELLED once compensated. */
export function isCancel(error: unknown): boolean {
  return errorCode(error) === "RUN_CANCELLED";
}

export function passFailure(_run: RunState, failure: StepFailure | undefined): StepFailure | undefined {
  return failure;
}

export function settle(
  run: RunState,
  failure: StepFailure | undefined,
): WorkflowOutcome<unknown> | Promise<WorkflowOutcome<unknown>> {
  return failure ? finishFailed(run, failure) : completed(run);
}

class Rollback {
  constructor(readonly failure: StepFailure) {}
}

/**
 * All steps share one transaction. When it fails for a reason that can pass — a lost connection, a busy pool or
 * lock, a refused commit — the database rolled it back without any step being at fault: it is tried again, with
 * backoff, in a new transaction — database steps run again, external steps that completed keep their results and
 * are not called again — so the run ends as it would have without the interruption. Past a pivot, every failure
 * is tried again that way (forward recovery). A run that gives up compensates every external step that completed
 * in any of its tries.
 */
async function runInTransaction(run: RunState): Promise<StepFailure | undefined> {
  const since = Date.now();
  const transient = transientWaits(run.options.transientRetry, since);
  const forward = run.options.forwardRecovery ? forwardWaits(run.options.forwardRecovery) : undefined;
  for (;;) {
    const failure = await transactionOnce(run);
    const log = run.replayLog;
    if (!failure || log === undefined) return failure;
    const wait = await nextTry(run, failure, log, { transient, forward, since });
    if (wait === undefined) {
      restoreReached(run, log);
      return failure;
    }
    run.logger.warn(
      { runId: run.ctx.runId, step: failure.stepName, delayMs: wait, err: serializeError(failure.error) },
      "the workflow transaction failed for a reason that can pass; trying it again",
    );
    await sleep(wait);
    startReplay(run, log);
  }
}

interface TryPolicies {
  transient: Waits;
  forward: Waits | undefined;
  /** When the transaction's first try started. */
  since: number;
}

/**
 * The wait before the transaction's next try, or undefined when the run gives up (and `failure` says why). Past a
 * pivot the completed steps' events are made durable first, so that a crash while waiting resumes forward too.
 */
async function nextTry(
  run: RunState,
  failure: StepFailure,
  log: ReplayLog,
  policies: TryPolicies,
): Promise<number | undefined> {
  noteReached(run, log);
  const { transient, forward } = policies;
  if (forward && pivotCompleted(run.steps, log.reached.results.length, true)) {
    const wait = forward.next();
    if (wait === undefined) markStuck(failure, forward.count);
    else await run.journal?.write();
    return wait;
  }
  if (!isTransientDatabaseError(failure.error)) return undefined;
  const wait = transient.next();
  if (wait === undefined) failure.error = new DatabaseUnavailableError(Date.now() - policies.since, failure.error);
  return wait;
}

function markStuck(failure: StepFailure, retries: number): void {
  failure.stuckAfterPivot = true;
  failure.error = new ForwardRecoveryExhaustedError(failure.stepName, retries + 1, failure.error);
}

/**
 * Outside a transaction, a step that fails after a pivot completed is tried again (the journal counts its
 * attempts on) instead of compensating the steps before it.
 */
async function runStepsForward(run: RunState): Promise<StepFailure | undefined> {
  const forward = run.options.forwardRecovery ? forwardWaits(run.options.forwardRecovery) : undefined;
  for (;;) {
    const failure = await runSteps(run, passFailure);
    if (!failure || !forward || isCancel(failure.error) || !pivotCompleted(run.steps, run.results.length, false))
      return failure;
    const wait = forward.next();
    if (wait === undefined) {
      markStuck(failure, forward.count);
      return failure;
    }
    run.logger.warn(
      { runId: run.ctx.runId, step: failure.stepName, delayMs: wait, err: serializeError(failure.error) },
      "a step failed after a pivot; trying it again to go forward",
    );
    await run.journal?.write();
    await sleep(wait);
    run.failure = undefined;
    run.retryFrom = { index: failure.index, attempt: failure.attempts + 1 };
  }
}

/** Merges what the try that just failed got to into what earlier tries reached. */
function noteReached(run: RunState, log: ReplayLog): void {
  const { reached } = log;
  for (let index = 0; index < run.results.length; index++) {
    reached.results[index] = run.results[index];
    reached.dataAfter[index] = log.dataAfter[index] ?? { ...run.ctx.data };
    if (log.wroteInTransaction.has(index)) reached.wroteInTransaction.add(index);
  }
}

/**
 * Before a run that gave up is compensated: the steps an earlier try completed but the last one did not reach
 * count as completed again — their external effects stand — and the shared data is as they left it.
 */
function restoreReached(run: RunState, log: ReplayLog): void {
  const { reached } = log;
  if (reached.results.length <= run.results.length) return;
  for (let index = run.results.length; index < reached.results.length; index++)
    run.results.push(reached.results[index]);
  Object.assign(run.ctx.data, reached.dataAfter[reached.dataAfter.length - 1]);
}

function startReplay(run: RunState, log: ReplayLog): void {
  run.results.length = 0;
  log.dataAfter.length = 0;
  log.wroteInTransaction.clear();
  run.failure = undefined;
  replaceData(run.ctx.data, log.initialData);
}

/**
 * One attempt at the transaction. A step failure throws to roll it back; any other error out of the
 * transaction means it could not commit. Either way its DB writes are gone, while the completed steps'
 * external effects are not, so the caller still compensates those. A journaled run also writes a commit
 * checkpoint in the transaction: after a crash it tells a committed run from a rolled-back one.
 */
async function transactionOnce(run: RunState): Promise<StepFailure | undefined> {
  // Waiting for a connection (or SQLite's one writer) is what the run would do anyway while it waits out a busy
  // database: unless told otherwise, the start may take as long as that.
  const maxWait = run.options.transientRetry?.forMs ?? TRANSIENT_FOR_MS;
  const transactionOptions = { timeout: 30_000, maxWait, ...run.options.transaction };
  try {
    await run.baseDriver.transaction(async (tx) => {
      run.ctx.driver = tx;
      const failure = await runSteps(run, passFailure);
      if (failure) throw new Rollback(failure);
      if (run.journal) await writeCommitCheckpoint(run);
    }, transactionOptions);
    return undefined;
  } catch (error) {
    if (run.failure === undefined && isJournalFailure(error)) throw error;
    const failure = run.failure ?? commitFailure(run, error);
    failure.rolledBack = true;
    return failure;
  } finally {
    run.ctx.driver = run.baseDriver;
  }
}

async function writeCommitCheckpoint(run: RunState): Promise<void> {
  const { ctx, results } = run;
  const output: CheckpointOutput = { result: results[results.length - 1], data: ctx.data };
  if (!(await ctx.driver.writeStepCheckpoint(ctx.runId, COMMIT_CHECKPOINT_KEY, output))) {
    throw new Error(`Run ${ctx.runId} was already committed by another execution`);
  }
}

/** The run stops where it is (its journal failed, or its process is shutting down): nothing to settle. */
function isJournalFailure(error: unknown): boolean {
  return error instanceof JournalWriteError || error instanceof RunShutdownError;
}

function commitFailure(run: RunState, error: unknown): StepFailure {
  return {
    index: run.results.length,
    stepName: null,
    error: new TransactionCommitError(error),
    attempts: 1,
    rolledBack: true,
  };
}

export async function finishCompleted<Out>(run: RunState): Promise<WorkflowSuccess<Out>> {
  const { ctx, results } = run;
  await run.journal?.write({
    type: "run-finished",
    runId: ctx.runId,
    status: "COMPLETED",
    result: results[results.length - 1],
    at: new Date(),
  });
  return completed<Out>(run);
}

function completed<Out>(run: RunState): WorkflowSuccess<Out> {
  const { ctx, results } = run;
  // A plain object on purpose: resolving a promise with a class instance costs a lookup of a `then` method
  // (measured at a quarter of a step); with a plain object V8 skips it.
  return {
    ok: true,
    status: "COMPLETED",
    runId: ctx.runId,
    result: results[results.length - 1] as Out,
    data: ctx.data,
  };
}

/**
 * A run past its pivot that could not go forward: parked FAILED for a person, nothing compensated, because undoing
 * the steps before the pivot could not undo the pivot itself.
 */
export async function finishStuck(run: RunState, failure: StepFailure): Promise<WorkflowFailure> {
  const { ctx, journal } = run;
  const cause = serializeError(failure.error);
  run.logger.error(
    { runId: ctx.runId, workflow: ctx.workflow, step: failure.stepName, err: cause },
    "a run past its pivot could not go forward; parked for a person to finish it",
  );
  await journal?.write({ type: "run-finished", runId: ctx.runId, status: "FAILED", error: cause, at: new Date() });
  const completed = run.steps.slice(0, run.results.length).map((s) => s.name);
  return failureOutcome(
    run,
    failure,
    "FAILED",
    { compensated: [], failed: [], uncompensated: completed.reverse() },
    cause,
  );
}

export async function finishFailed(run: RunState, failure: StepFailure): Promise<WorkflowFailure> {
  const { ctx, journal } = run;
  // Only a run that left nothing behind may tell its caller to simply try again: one that did compensates for
  // the failure underneath, and says that.
  if (failure.error instanceof DatabaseUnavailableError && leftEffects(run)) failure.error = failure.error.cause;
  const cause = serializeError(failure.error);
  if (!run.resume?.compensating) {
    journal?.defer({
      type: "run-compensating",
      runId: ctx.runId,
      failedStep: failure.stepName,
      error: cause,
      rolledBack: failure.rolledBack,
      at: new Date(),
    });
  }
  if (failure.inDoubt) await settleInDoubtStep(run, failure);
  const report = await compensateCompleted(run, failure.rolledBack);
  const status = report.failed.length > 0 ? "FAILED" : isCancel(failure.error) ? "CANCELLED" : "COMPENSATED";
  await journal?.write({ type: "run-finished", runId: ctx.runId, status, error: cause, at: new Date() });
  const outcome = failureOutcome(run, failure, status, report, cause);
  outcome.retryable = failure.error instanceof DatabaseUnavailableError;
  const cancelled = isCancel(failure.error) ? (run.signals?.cancelRequest ?? run.journaledCancel) : undefined;
  if (cancelled) outcome.cancelled = cancelled;
  return outcome;
}

function failureOutcome(
  run: RunState,
  failure: StepFailure,
  status: WorkflowFailure["status"],
  report: CompensationReport,
  cause: SerializedError,
): WorkflowFailure {
  return {
    ok: false,
    status,
    runId: run.ctx.runId,
    error: errorMessage(failure.error),
    code: "ACTION_ERROR",
    failedStep: failure.stepName,
    compensatedSteps: report.compensated,
    failedCompensations: report.failed,
    uncompensatedSteps: report.uncompensated,
    rolledBack: failure.rolledBack,
    attempts: failure.attempts,
    retryable: false,
    cause,
    data: run.ctx.data,
  };
}

/** Whether a completed step left an effect a rollback did not undo: an external one, or any step outside a transaction. */
function leftEffects(run: RunState): boolean {
  if (!run.options.useTransaction) return run.results.length > 0;
  for (let index = 0; index < run.results.length; index++)
    if (run.steps[index]!.options.effect !== "database") return true;
  return false;
}
