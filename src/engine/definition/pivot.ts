import type { RunState } from "../execution/run-state.ts";
import type { AnyStepContext, Step } from "./step.ts";

/**
 * A pivot is a step whose effect nothing can undo: an external step without a compensation (shipping goods), or,
 * outside a workflow transaction, a database step without one — unless the step says otherwise (`pivot`). Once a
 * pivot completed, compensating the steps before it cannot put the world back as it was ("refunded but shipped"):
 * the run can only go forward.
 */
export function isPivot(step: Step<AnyStepContext, unknown>, transactional: boolean): boolean {
  if (step.options.pivot !== undefined) return step.options.pivot;
  if (step.compensate) return false;
  return !(transactional && step.options.effect === "database");
}

/** Whether any of the first `completed` steps is a pivot. */
export function pivotCompleted(
  steps: readonly Step<AnyStepContext, unknown>[],
  completed: number,
  transactional: boolean,
): boolean {
  for (let index = 0; index < completed && index < steps.length; index++) {
    if (isPivot(steps[index]!, transactional)) return true;
  }
  return false;
}

/**
 * Whether a run of a workflow with forward recovery got past its pivot: it can then only go forward, so neither a
 * cancel nor a failure compensates it. Counts the furthest any try of its transaction got.
 */
export function runPastPivot(run: RunState): boolean {
  if (!run.options.forwardRecovery) return false;
  const reached = Math.max(run.results.length, run.replayLog?.reached.results.length ?? 0);
  return pivotCompleted(run.steps, reached, run.options.useTransaction === true);
}
