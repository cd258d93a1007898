import { assertJournalable } from "../journal/assert-journalable.ts";
import { stepCheckpointKey } from "./checkpoint-keys.ts";
import { RunShutdownError, serializeError } from "../errors.ts";
import { runExactlyOnce } from "./exactly-once.ts";
import { canBeInDoubt, leavesInDoubt, wasCutOff } from "./in-doubt-step.ts";
import { JournalWriteError } from "../journal/journal-writer.ts";
import { AttemptsExhausted, runWithRetry, withTimeout } from "./retry.ts";
import type { RunEvent } from "../journal/run-events.ts";
import type { RunState, StepFailure } from "./run-state.ts";
import type { AnyStepContext, Step } from "../definition/step.ts";
import { writeNotingDriver } from "./write-noting-driver.ts";

/**
 * Runs the steps in order from where the run stands, stopping at the first failure, and resolves to what
 * `settle` makes of that failure (undefined when every step completed). Settling here rather than in the
 * caller keeps a whole run in one async frame. Without a journal, a step without retry or timeout is a bare
 * `await`: this loop is the engine's hot path. A journal that cannot be written stops the run (it rejects).
 */
export async function runSteps<T>(
  run: RunState,
  settle: (run: RunState, failure: StepFailure | undefined) => T | Promise<T>,
): Promise<T> {
  const { steps, ctx, results } = run;
  for (let index = results.length; index < steps.length; index++) {
    const step = steps[index]!;
    // A cancel heard between two steps stops the run before the next one starts.
    if (run.signals?.steps.aborted) return settle(run, stoppedBetweenSteps(run, index));
    ctx.stepName = step.name;
    ctx.attempt = 1;
    try {
      results.push(
        run.journal === undefined &&
          run.replayLog === undefined &&
          step.options.retry === undefined &&
          step.options.timeout === undefined
          ? await step.execute(ctx)
          : await runJournaledStep(run, step, index),
      );
    } catch (caught) {
      return settleFailedStep(run, index, caught, settle);
    }
  }
  return settle(run, undefined);
}

/** A step's failure (its attempts exhausted) settles the run, unless it is one after which the run stops. */
export function settleFailedStep<T>(
  run: RunState,
  index: number,
  caught: unknown,
  settle: (run: RunState, failure: StepFailure) => T,
): T {
  const exhausted = caught instanceof AttemptsExhausted ? caught : new AttemptsExhausted(caught, run.ctx.attempt);
  if (stopsTheRun(exhausted.error)) throw exhausted.error;
  run.failure = {
    index,
    stepName: run.steps[index]!.name,
    error: exhausted.error,
    attempts: exhausted.attempts,
    rolledBack: false,
  };
  if (exhausted.inDoubt) run.failure.inDoubt = true;
  return settle(run, run.failure);
}

/**
 * Errors after which the run stops where it is, without settling: an unwritable journal, or a shutdown. Recovery
 * takes the run up from its journal.
 */
export function stopsTheRun(error: unknown): boolean {
  return error instanceof JournalWriteError || error instanceof RunShutdownError;
}

/**
 * A cancel heard before the step at `index` started. A resumed run whose journal shows that step running was
 * interrupted in it (a crash, a shutdown) before its cancel was carried out: the step is in doubt.
 */
function stoppedBetweenSteps(run: RunState, index: number): StepFailure {
  const reason: unknown = run.signals!.steps.reason;
  if (reason instanceof RunShutdownError) throw reason;
  const { resume } = run;
  const step = run.steps[index]!;
  if (resume?.stepIndex === index && resume.running && canBeInDoubt(step)) {
    run.failure = {
      index,
      stepName: step.name,
      error: reason,
      attempts: resume.nextAttempt,
      rolledBack: false,
      inDoubt: true,
    };
  } else {
    run.failure = { index, stepName: null, error: reason, attempts: 0, rolledBack: false };
  }
  return run.failure;
}

/**
 * One step with its retries, journaled. An external step's attempt is durable before it starts (so a crash
 * grants no extra attempts, and recovery knows the step may have happened); a database step's start need not
 * be, because its transaction either committed with its checkpoint or left nothing.
 */
async function runJournaledStep(run: RunState, step: Step<AnyStepContext, unknown>, index: number): Promise<unknown> {
  const result = replayedResult(run, step, index) ?? { value: await runStepAttempts(run, step, index) };
  run.replayLog?.dataAfter.push({ ...run.ctx.data });
  return result.value;
}

/**
 * When a transaction is tried again, an external step that completed in an earlier try is not executed again —
 * unless it also wrote through that transaction: the rollback took its writes, so it runs again, under the same
 * idempotency key, for them to be made again.
 */
function replayedResult(
  run: RunState,
  step: Step<AnyStepContext, unknown>,
  index: number,
): { value: unknown } | undefined {
  const reached = run.replayLog?.reached;
  if (!reached || index >= reached.results.length || step.options.effect === "database") return undefined;
  if (reached.wroteInTransaction.has(index)) return undefined;
  Object.assign(run.ctx.data, reached.dataAfter[index]);
  return { value: reached.results[index] };
}

async function runStepAttempts(run: RunState, step: Step<AnyStepContext, unknown>, index: number): Promise<unknown> {
  const { ctx, journal } = run;
  const name = step.name;
  const durableStart = step.options.effect !== "database";
  const firstAttempt = firstAttemptOf(run, index);
  const journalStart = (n: number) => {
    if (!journal) return;
    const started = { type: "step-started", runId: ctx.runId, step: name, index, attempt: n, at: new Date() } as const;
    if (durableStart) return journal.write(started);
    journal.defer(started);
  };
  // Whether the last attempt that began was cut off without an answer; a later one that the step answers settles it.
  let cutOff = false;
  const attempt = async (n: number): Promise<unknown> => {
    ctx.attempt = n;
    if (n === firstAttempt) await journalStart(n);
    let began = false;
    try {
      const work = (signal: AbortSignal) => {
        began = true;
        return executeOnce(run, step, index, signal);
      };
      return await withTimeout(work, name, step.options.timeout, run.signals?.steps);
    } catch (error) {
      if (began) cutOff = wasCutOff(run, error);
      throw error;
    }
  };
  try {
    const { value, attempts } = await runWithRetry(
      attempt,
      step.options.retry,
      {
        onRetry: (n, error, delayMs) => {
          run.logger.warn(
            { runId: ctx.runId, step: name, attempt: n, delayMs, err: serializeError(error) },
            "step attempt failed; retrying",
          );
          // The next attempt is journaled before the wait, so a crash during the wait cannot hand out this one again.
          journal?.defer({
            type: "step-retrying",
            runId: ctx.runId,
            step: name,
            index,
            attempt: n,
            error: serializeError(error),
            delayMs,
            at: new Date(),
          });
          return journalStart(n + 1);
        },
      },
      firstAttempt,
    );
    const wrote = run.replayLog?.wroteInTransaction.has(index) === true;
    journal?.defer({
      type: "step-completed",
      runId: ctx.runId,
      step: name,
      index,
      attempts,
      result: value,
      data: journaledData(run),
      ...(wrote ? { wroteInTransaction: true } : {}),
      at: new Date(),
    });
    return value;
  } catch (caught) {
    if (!(caught instanceof AttemptsExhausted) || stopsTheRun(caught.error)) throw caught;
    // A step in doubt is not failed yet: the journal shows it running until the compensating run settles it.
    if (cutOff && leavesInDoubt(run, step)) caught.inDoubt = true;
    else
      journal?.defer({
        type: "step-failed",
        runId: ctx.runId,
        step: name,
        index,
        attempts: caught.attempts,
        error: serializeError(caught.error),
        at: new Date(),
      });
    throw caught;
  }
}

/** The attempt a step starts with: where a resumed run or a forward retry left its count, else 1. */
function firstAttemptOf(run: RunState, index: number): number {
  if (run.retryFrom?.index === index) return run.retryFrom.attempt;
  return run.resume?.stepIndex === index ? run.resume.nextAttempt : 1;
}

/**
 * One attempt's work: exactly once for a database step of a durable, non-transactional run; inside a
 * savepoint for a retried database step of a transactional run, so that a failed attempt undoes only its own
 * writes and (on PostgreSQL) does not leave the whole transaction aborted for the next attempt.
 */
async function executeOnce(
  run: RunState,
  step: Step<AnyStepContext, unknown>,
  index: number,
  signal: AbortSignal,
): Promise<unknown> {
  const ctx = run.ctx.forAttempt(signal);
  const database = step.options.effect === "database";
  if (run.checkpoints && database) {
    const attempt = ctx.attempt;
    return runExactlyOnce(
      run,
      stepCheckpointKey(step.name),
      () => step.execute(ctx),
      (result) => writtenAhead(run, index, attempt, result),
      ctx,
    );
  }
  const result =
    database && step.options.retry && ctx.driver.inTransaction
      ? await ctx.driver.savepoint(async () => step.execute(ctx))
      : await executeNotingWrites(run, step, index, ctx);
  if (run.journal) assertJournalable(step.name, result, ctx.data);
  return result;
}

/** An external step of a workflow transaction runs on a driver that notes whether it wrote through the transaction. */
async function executeNotingWrites(
  run: RunState,
  step: Step<AnyStepContext, unknown>,
  index: number,
  ctx: AnyStepContext,
): Promise<unknown> {
  const log = run.replayLog;
  const tx = run.ctx.driver;
  if (!log || step.options.effect === "database" || !tx.inTransaction) return step.execute(ctx);
  // Set on the run's context: an attempt's own context reads the driver from it.
  run.ctx.driver = writeNotingDriver(tx, () => log.wroteInTransaction.add(index));
  try {
    return await step.execute(ctx);
  } finally {
    run.ctx.driver = tx;
  }
}

/**
 * The shared data a step's completion journals. A try of a transaction after the first starts again from the
 * initial data, and the external steps it reuses put theirs back only as it reaches them: until then, the journal
 * keeps what the furthest try had, so that a crash meanwhile resumes with every reused step's data.
 */
export function journaledData(run: RunState): Record<string, unknown> {
  const furthest = run.replayLog?.reached.dataAfter;
  const last = furthest?.[furthest.length - 1];
  return last === undefined ? { ...run.ctx.data } : { ...last, ...run.ctx.data };
}

/**
 * What a database step's transaction can journal ahead of time, besides its own completion: the next step's first
 * attempt when that step is external — it starts right after the commit, and an attempt recorded a moment early
 * can only grant fewer retries, never more — or the run's end when this step was the last.
 */
function writtenAhead(run: RunState, index: number, attempts: number, result: unknown): RunEvent[] {
  const { ctx, steps } = run;
  const at = new Date();
  const events: RunEvent[] = [
    {
      type: "step-completed",
      runId: ctx.runId,
      step: steps[index]!.name,
      index,
      attempts,
      result,
      data: { ...ctx.data },
      at,
    },
  ];
  const next = steps[index + 1];
  if (!next) events.push({ type: "run-finished", runId: ctx.runId, status: "COMPLETED", result, at });
  else if (next.options.effect !== "database")
    events.push({ type: "step-started", runId: ctx.runId, step: next.name, index: index + 1, attempt: 1, at });
  return events;
}
