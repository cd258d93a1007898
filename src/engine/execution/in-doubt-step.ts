import { assertJournalable } from "../journal/assert-journalable.ts";
import { RunShutdownError, serializeError, StepTimeoutError } from "../errors.ts";
import { JournalWriteError } from "../journal/journal-writer.ts";
import { runPastPivot } from "../definition/pivot.ts";
import { withTimeout } from "./retry.ts";
import type { RunState, StepFailure } from "./run-state.ts";
import type { AnyStepContext, Step } from "../definition/step.ts";

/**
 * An external step whose attempt was cut off mid-call — by a cancel, by its timeout, or by a crash — may have
 * taken effect at the other end with only its answer lost (a charge taken, its reply never read). Only a step with
 * a compensation can be settled that way: what it did is then undone. A database step never is in doubt: its
 * transaction either committed with its checkpoint or left nothing.
 */
export function canBeInDoubt(step: Step<AnyStepContext, unknown>): boolean {
  return step.options.effect !== "database" && step.compensate !== undefined;
}

/**
 * Whether a failed attempt was cut off by the engine (its timeout, or the cancel or shutdown its run heard) rather
 * than answered by the step itself: a step's own error is its answer, a cut-off attempt has none.
 */
export function wasCutOff(run: RunState, error: unknown): boolean {
  return (
    error instanceof StepTimeoutError || (run.signals?.steps.aborted === true && error === run.signals.steps.reason)
  );
}

/**
 * Whether a step whose last attempt was cut off leaves the run in doubt about it: the run is about to compensate
 * (a run past its pivot goes forward instead, and tries the step again under its key).
 */
export function leavesInDoubt(run: RunState, step: Step<AnyStepContext, unknown>): boolean {
  return canBeInDoubt(step) && !runPastPivot(run);
}

/**
 * Settles the step a compensating run is in doubt about, before the compensations run: it runs once more under the
 * same idempotency key, so that a provider that honours the key answers with what it did the first time — or does
 * it now, for a request it never got — and its result is then compensated with the steps before it. The run's
 * compensating is journaled first, the step still running: a crash during this re-run resumes compensating and
 * settles the step again, under the same key. The re-run listens to what a compensation listens to — a shutdown,
 * never the cancel that asked for it — and to the step's own timeout. A re-run that fails tells that the step did
 * not take effect: nothing of it is compensated. One cut off by its timeout again leaves the step in doubt, logged
 * as an error for a person to check.
 */
export async function settleInDoubtStep(run: RunState, failure: StepFailure): Promise<void> {
  const step = run.steps[failure.index];
  // An earlier try of the run's transaction completed the step: its result is already among those compensated.
  if (!step || run.results.length !== failure.index) return;
  const { ctx, journal } = run;
  await journal?.write();
  ctx.stepName = step.name;
  ctx.attempt = Math.max(1, failure.attempts);
  try {
    const result = await withTimeout(
      (signal) => step.execute(ctx.forAttempt(signal)),
      step.name,
      step.options.timeout,
      run.signals?.compensations,
    );
    if (journal) assertJournalable(step.name, result, ctx.data);
    journal?.defer({
      type: "step-completed",
      runId: ctx.runId,
      step: step.name,
      index: failure.index,
      attempts: ctx.attempt,
      result,
      data: { ...ctx.data },
      at: new Date(),
    });
    run.results.push(result);
  } catch (error) {
    if (error instanceof JournalWriteError || error instanceof RunShutdownError) throw error;
    const log = { runId: ctx.runId, workflow: ctx.workflow, step: step.name, err: serializeError(error) };
    // Cut off again, the step is still in doubt: the run cannot tell, and says so for a person to check.
    if (error instanceof StepTimeoutError)
      run.logger.error(
        log,
        "a step cut off mid-call went unanswered again under its key; a person must check what the other end holds",
      );
    else
      run.logger.warn(
        log,
        "a step cut off mid-call did not take effect when run again under its key; nothing of it to undo",
      );
  }
}
