import { compensationCheckpointKey } from "./checkpoint-keys.ts";
import { RunShutdownError, serializeError, type SerializedError } from "../errors.ts";
import { runExactlyOnce } from "./exactly-once.ts";
import { JournalWriteError } from "../journal/journal-writer.ts";
import { AttemptsExhausted, runWithRetry, withTimeout } from "./retry.ts";
import type { RunState } from "./run-state.ts";
import type { AnyStepContext, Step } from "../definition/step.ts";

export interface FailedCompensation {
  step: string;
  error: SerializedError;
}

export interface CompensationReport {
  /** In the order they were compensated: the reverse of execution. */
  compensated: string[];
  failed: FailedCompensation[];
  /** Completed steps that have no compensation (their effects stay). */
  uncompensated: string[];
}

/**
 * Undoes the completed steps, last first. Best-effort: a compensation that still fails after its retries is
 * logged and reported, and the ones before it still run. After a transaction rollback, `"database"` steps
 * count as compensated without running their compensation again: that would undo their writes twice.
 * A resumed run skips the compensations its journal shows as done (or failed for good).
 */
export async function compensateCompleted(run: RunState, rolledBack: boolean): Promise<CompensationReport> {
  const report: CompensationReport = { compensated: [], failed: [], uncompensated: [] };
  run.ctx.rolledBack = rolledBack;
  for (let index = run.results.length - 1; index >= 0; index--) {
    const step = run.steps[index]!;
    if (alreadySettled(run, index, step.name, report)) continue;
    if (rolledBack && step.options.effect === "database") {
      run.journal?.defer({
        type: "compensation-completed",
        runId: run.ctx.runId,
        step: step.name,
        index,
        byRollback: true,
        at: new Date(),
      });
      report.compensated.push(step.name);
    } else if (!step.compensate) {
      report.uncompensated.push(step.name);
    } else {
      await compensateOne(run, step, index, report);
    }
  }
  return report;
}

function alreadySettled(run: RunState, index: number, name: string, report: CompensationReport): boolean {
  const resume = run.resume;
  if (!resume) return false;
  if (resume.compensated.has(index)) {
    report.compensated.push(name);
    return true;
  }
  const error = resume.compensationFailed.get(index);
  if (error) report.failed.push({ step: name, error });
  return error !== undefined;
}

async function compensateOne(
  run: RunState,
  step: Step<AnyStepContext, unknown>,
  index: number,
  report: CompensationReport,
): Promise<void> {
  const { ctx, journal } = run;
  const name = step.name;
  ctx.stepName = name;
  const first = run.resume?.compensationAttempts[index] || 1;
  // Each attempt is journaled before it starts (the next one before the wait), so a crash grants no extra attempts.
  const journalStart = (n: number) =>
    journal?.write({ type: "compensation-started", runId: ctx.runId, step: name, index, attempt: n, at: new Date() });
  const attempt = async (n: number): Promise<unknown> => {
    ctx.attempt = n;
    if (n === first) await journalStart(n);
    // A cancel never aborts a compensation (it is what asked for it); a shutdown does, and recovery runs it again.
    return withTimeout(
      (signal) => undoOnce(run, step, index, signal),
      name,
      step.options.timeout,
      run.signals?.compensations,
    );
  };
  try {
    await runWithRetry(attempt, step.options.compensationRetry, { onRetry: (n) => journalStart(n + 1) }, first);
    journal?.defer({
      type: "compensation-completed",
      runId: ctx.runId,
      step: name,
      index,
      byRollback: false,
      at: new Date(),
    });
    report.compensated.push(name);
  } catch (caught) {
    const cause = caught instanceof AttemptsExhausted ? caught.error : caught;
    if (cause instanceof JournalWriteError || cause instanceof RunShutdownError) throw cause;
    const error = serializeError(cause);
    run.logger.error(
      { runId: ctx.runId, workflow: ctx.workflow, step: name, err: error },
      "compensation failed; a person must look at this run",
    );
    journal?.defer({ type: "compensation-failed", runId: ctx.runId, step: name, index, error, at: new Date() });
    report.failed.push({ step: name, error });
  }
}

/** A database step's compensation in a durable, non-transactional run commits with its checkpoint: once. */
function undoOnce(run: RunState, step: Step<AnyStepContext, unknown>, index: number, signal: AbortSignal): unknown {
  const ctx = run.ctx.forAttempt(signal);
  const undo = () => step.compensate!(ctx, run.results[index]);
  if (!run.checkpoints || step.options.effect !== "database") return undo();
  // What a compensation returns means nothing to the engine: the checkpoint only records that it happened.
  return runExactlyOnce(
    run,
    compensationCheckpointKey(step.name),
    async () => {
      await undo();
      return null;
    },
    undefined,
    ctx,
  );
}
