import { serializeError, type SerializedError } from "./errors.ts";
import { AttemptsExhausted, runWithRetry, withTimeout } from "./retry.ts";
import type { RunState } from "./run-state.ts";
import type { AnyStepContext, Step } from "./step.ts";

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
 */
export async function compensateCompleted(run: RunState, rolledBack: boolean): Promise<CompensationReport> {
  const report: CompensationReport = { compensated: [], failed: [], uncompensated: [] };
  run.ctx.rolledBack = rolledBack;
  for (let index = run.results.length - 1; index >= 0; index--) {
    const step = run.steps[index]!;
    if (rolledBack && step.options.effect === "database") {
      await run.store?.record({ type: "compensation-completed", runId: run.ctx.runId, step: step.name, index, byRollback: true, at: new Date() });
      report.compensated.push(step.name);
    } else if (!step.compensate) {
      report.uncompensated.push(step.name);
    } else {
      await compensateOne(run, step, index, report);
    }
  }
  return report;
}

async function compensateOne(run: RunState, step: Step<AnyStepContext, unknown>, index: number, report: CompensationReport): Promise<void> {
  const { ctx, store } = run;
  const name = step.name;
  ctx.stepName = name;
  const attempt = async (n: number): Promise<unknown> => {
    ctx.attempt = n;
    await store?.record({ type: "compensation-started", runId: ctx.runId, step: name, index, attempt: n, at: new Date() });
    return withTimeout(Promise.resolve(step.compensate!(ctx, run.results[index])), name, step.options.timeout);
  };
  try {
    await runWithRetry(attempt, step.options.compensationRetry);
    await store?.record({ type: "compensation-completed", runId: ctx.runId, step: name, index, byRollback: false, at: new Date() });
    report.compensated.push(name);
  } catch (caught) {
    const error = serializeError(caught instanceof AttemptsExhausted ? caught.error : caught);
    run.logger.error({ runId: ctx.runId, workflow: ctx.workflow, step: name, err: error }, "compensation failed; a person must look at this run");
    await store?.record({ type: "compensation-failed", runId: ctx.runId, step: name, index, error, at: new Date() });
    report.failed.push({ step: name, error });
  }
}
