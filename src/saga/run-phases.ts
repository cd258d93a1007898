import { isConnectionLoss } from "./connection-loss.ts";
import { COMMIT_CHECKPOINT_KEY, type CheckpointOutput } from "./checkpoint-keys.ts";
import { compensateCompleted } from "./compensate.ts";
import type { WorkflowDefinition } from "./define-workflow.ts";
import { isDurableRunStore } from "./durable-run-store.ts";
import { errorMessage, serializeError, TransactionCommitError } from "./errors.ts";
import type { WorkflowFailure, WorkflowOutcome, WorkflowSuccess } from "./execute-workflow.ts";
import { JournalWriteError } from "./journal-writer.ts";
import { startLeaseHeartbeat } from "./lease-heartbeat.ts";
import { localRuns } from "./local-runs.ts";
import type { ReplayLog, RunState, StepFailure } from "./run-state.ts";
import { runSteps } from "./run-steps.ts";

type AnyWorkflow = WorkflowDefinition<never, unknown>;

/** Runs the remaining steps — in one transaction when the workflow asks for it — and settles the run. */
export async function proceed<Out>(run: RunState, definition: AnyWorkflow): Promise<WorkflowOutcome<Out>> {
  const failure = definition.options.useTransaction ? await runInTransaction(run, definition) : await runSteps(run, passFailure);
  return failure ? finishFailed(run, failure) : finishCompleted<Out>(run);
}

/**
 * Keeps a journaled run's lease alive and marks it as executing here while `work` runs, so neither another
 * instance nor this one's recovery takes it over.
 */
export async function whileOwned<T>(run: RunState, work: () => Promise<T>): Promise<T> {
  const { store, ctx } = run;
  if (!isDurableRunStore(store)) return work();
  localRuns.add(ctx.runId);
  const stop = startLeaseHeartbeat(store, ctx.runId, run.logger, () => run.journal?.started ?? true);
  try {
    return await work();
  } finally {
    stop();
    localRuns.delete(ctx.runId);
  }
}

export function passFailure(_run: RunState, failure: StepFailure | undefined): StepFailure | undefined {
  return failure;
}

export function settle(run: RunState, failure: StepFailure | undefined): WorkflowOutcome<unknown> | Promise<WorkflowOutcome<unknown>> {
  return failure ? finishFailed(run, failure) : completed(run);
}

class Rollback {
  constructor(readonly failure: StepFailure) {}
}

/** Replays of a transaction that lost its connection, before the run gives up and compensates. */
const MAX_REPLAYS = 3;

/**
 * All steps share one transaction. When it fails because the database connection was lost (a restart, a
 * killed backend), the database rolled it back without any step being at fault: it is replayed in a new
 * transaction — database steps run again, external steps that completed keep their results and are not called
 * again — so the run ends as it would have without the interruption.
 */
async function runInTransaction(run: RunState, definition: AnyWorkflow): Promise<StepFailure | undefined> {
  for (let replays = 0; ; replays++) {
    const failure = await transactionOnce(run, definition);
    if (!failure || run.replayLog === undefined || replays >= MAX_REPLAYS || !isConnectionLoss(failure.error)) return failure;
    run.logger.warn({ runId: run.ctx.runId, replay: replays + 1, err: serializeError(failure.error) }, "the workflow transaction lost its database connection; replaying it");
    startReplay(run, run.replayLog);
  }
}

function startReplay(run: RunState, log: ReplayLog): void {
  log.previous = { results: run.results.slice(), dataAfter: log.dataAfter.slice() };
  run.results.length = 0;
  log.dataAfter.length = 0;
  run.failure = undefined;
  const data = run.ctx.data;
  for (const key of Object.keys(data)) delete data[key];
  Object.assign(data, log.initialData);
}

/**
 * One attempt at the transaction. A step failure throws to roll it back; any other error out of the
 * transaction means it could not commit. Either way its DB writes are gone, while the completed steps'
 * external effects are not, so the caller still compensates those. A journaled run also writes a commit
 * checkpoint in the transaction: after a crash it tells a committed run from a rolled-back one.
 */
async function transactionOnce(run: RunState, definition: AnyWorkflow): Promise<StepFailure | undefined> {
  const transactionOptions = { timeout: 30_000, maxWait: 10_000, ...definition.options.transaction };
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

function isJournalFailure(error: unknown): boolean {
  return error instanceof JournalWriteError;
}

function commitFailure(run: RunState, error: unknown): StepFailure {
  return { index: run.results.length, stepName: null, error: new TransactionCommitError(error), attempts: 1, rolledBack: true };
}

export async function finishCompleted<Out>(run: RunState): Promise<WorkflowSuccess<Out>> {
  const { ctx, results } = run;
  await run.journal?.write({ type: "run-finished", runId: ctx.runId, status: "COMPLETED", result: results[results.length - 1], at: new Date() });
  return completed<Out>(run);
}

function completed<Out>(run: RunState): WorkflowSuccess<Out> {
  const { ctx, results } = run;
  // A plain object on purpose: resolving a promise with a class instance costs a lookup of a `then` method
  // (measured at a quarter of a step); with a plain object V8 skips it.
  return { ok: true, status: "COMPLETED", runId: ctx.runId, result: results[results.length - 1] as Out, data: ctx.data };
}

export async function finishFailed(run: RunState, failure: StepFailure): Promise<WorkflowFailure> {
  const { ctx, journal } = run;
  const cause = serializeError(failure.error);
  if (!run.resume?.compensating) {
    journal?.defer({ type: "run-compensating", runId: ctx.runId, failedStep: failure.stepName, error: cause, rolledBack: failure.rolledBack, at: new Date() });
  }
  const report = await compensateCompleted(run, failure.rolledBack);
  const status = report.failed.length > 0 ? "FAILED" : "COMPENSATED";
  await journal?.write({ type: "run-finished", runId: ctx.runId, status, error: cause, at: new Date() });
  return {
    ok: false,
    status,
    runId: ctx.runId,
    error: errorMessage(failure.error),
    code: "ACTION_ERROR",
    failedStep: failure.stepName,
    compensatedSteps: report.compensated,
    failedCompensations: report.failed,
    uncompensatedSteps: report.uncompensated,
    rolledBack: failure.rolledBack,
    attempts: failure.attempts,
    cause,
    data: ctx.data,
  };
}
