import type { FailedCompensation } from "../engine/execution/compensate.ts";
import type { SerializedError } from "../engine/errors.ts";
import type { WorkflowFailure, WorkflowOutcome } from "../engine/execution/execute-workflow.ts";
import type { RunSnapshot, StepSnapshot } from "../engine/journal/run-snapshot.ts";

const UNKNOWN_ERROR: SerializedError = { name: "Error", message: "unknown error" };

/**
 * The outcome a finished run gave its first caller, rebuilt from its journaled snapshot, so a duplicate request
 * gets the same answer. Compensations run last step first (recovery resumes them in that order too), so
 * descending step order is the order they happened in.
 */
export function outcomeOfFinishedRun(run: RunSnapshot): WorkflowOutcome<unknown> {
  if (run.status === "COMPLETED")
    return { ok: true, status: "COMPLETED", runId: run.id, result: run.result, data: run.data };
  return failureOfFinishedRun(run);
}

function failureOfFinishedRun(run: RunSnapshot): WorkflowFailure {
  const lastFirst = [...run.steps].sort((a, b) => b.index - a.index);
  const cause = run.error ?? UNKNOWN_ERROR;
  const failed = run.failedStep === null ? undefined : run.steps.find((step) => step.name === run.failedStep);
  return {
    ok: false,
    status: run.status === "FAILED" || run.status === "CANCELLED" ? run.status : "COMPENSATED",
    runId: run.id,
    error: cause.message,
    code: "ACTION_ERROR",
    failedStep: run.failedStep,
    compensatedSteps: namesWith(lastFirst, "COMPENSATED"),
    failedCompensations: lastFirst.filter((step) => step.status === "COMPENSATION_FAILED").map(failedCompensation),
    // A failed run's COMPLETED steps are the ones that had no compensation: their effects remain.
    uncompensatedSteps: namesWith(lastFirst, "COMPLETED"),
    rolledBack: run.rolledBack,
    // A run that failed outside any step (its commit) counts one attempt, as the engine reports it.
    attempts: failed?.attempts ?? 1,
    retryable: cause.code === "DATABASE_UNAVAILABLE",
    cause,
    data: run.data,
    ...(cause.code === "RUN_CANCELLED" && run.cancelRequest
      ? { cancelled: { by: run.cancelRequest.by, reason: run.cancelRequest.reason } }
      : {}),
  };
}

function namesWith(steps: readonly StepSnapshot[], status: StepSnapshot["status"]): string[] {
  return steps.filter((step) => step.status === status).map((step) => step.name);
}

function failedCompensation(step: StepSnapshot): FailedCompensation {
  return { step: step.name, error: step.compensationError ?? UNKNOWN_ERROR };
}
