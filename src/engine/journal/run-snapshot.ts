import type { DataMap } from "../definition/context.ts";
import type { SerializedError } from "../errors.ts";
import type { RunControlRequest, RunEvent, RunStatus, StepStatus } from "./run-events.ts";

export interface StepSnapshot {
  name: string;
  index: number;
  status: StepStatus;
  attempts: number;
  result: unknown;
  error: SerializedError | null;
  compensationError: SerializedError | null;
  /** Attempts at undoing the step, the first included: 0 until its compensation starts (and again after a retry). */
  compensationAttempts: number;
  startedAt: Date | null;
  endedAt: Date | null;
}

/** A run as the journal knows it: what `workflowRun(id)` returns and what recovery resumes from. */
export interface RunSnapshot {
  id: string;
  workflow: string;
  status: RunStatus;
  input: unknown;
  data: DataMap;
  resourceId: string | null;
  idempotencyKey: string | null;
  transactional: boolean;
  result: unknown;
  error: SerializedError | null;
  failedStep: string | null;
  rolledBack: boolean;
  createdAt: Date;
  updatedAt: Date;
  steps: StepSnapshot[];
  /** Set once someone asked for the run to be cancelled (the first request counts), whatever became of it. */
  cancelRequest: CancelRequest | null;
}

export interface CancelRequest extends RunControlRequest {
  at: Date;
}

type RunLevelEvent = Extract<
  RunEvent,
  { type: "run-finished" | "run-compensating" | "run-cancel-requested" | "run-reopened" }
>;
const RUN_LEVEL: ReadonlySet<RunEvent["type"]> = new Set([
  "run-finished",
  "run-compensating",
  "run-cancel-requested",
  "run-reopened",
]);

function isRunLevel(event: Exclude<RunEvent, { type: "run-started" }>): event is RunLevelEvent {
  return RUN_LEVEL.has(event.type);
}

function pendingStep(name: string, index: number): StepSnapshot {
  return {
    name,
    index,
    status: "PENDING",
    attempts: 0,
    result: null,
    error: null,
    compensationError: null,
    compensationAttempts: 0,
    startedAt: null,
    endedAt: null,
  };
}

/**
 * Applies one event to a snapshot, in place. The in-memory journal is built on it, and the SQL journals must
 * agree with it (the shared run-journal contract tests check that they do).
 */
export function applyRunEvent(run: RunSnapshot, event: RunEvent): void {
  if (event.type === "run-started") return;
  if (isRunLevel(event)) {
    run.updatedAt = event.at;
    return applyRunLevel(run, event);
  }
  const step = run.steps[event.index];
  // Checked before anything changes, so a rejected event leaves the run as it was.
  if (!step) throw new Error(`Run ${run.id} has no step #${event.index} (${event.step})`);
  run.updatedAt = event.at;
  applyStepLevel(run, step, event);
}

function applyRunLevel(run: RunSnapshot, event: RunLevelEvent): void {
  if (event.type === "run-cancel-requested") {
    run.cancelRequest ??= { by: event.by, reason: event.reason, at: event.at };
    return;
  }
  if (event.type === "run-reopened") return applyReopened(run, event);
  if (event.type === "run-compensating") {
    run.status = "COMPENSATING";
    run.failedStep = event.failedStep;
    run.error = event.error;
    run.rolledBack = event.rolledBack;
    return;
  }
  run.status = event.status;
  if (event.result !== undefined) run.result = event.result;
  if (event.error !== undefined) run.error = event.error;
  if (event.status === "COMPLETED") return;
  for (const step of run.steps) if (step.status === "PENDING") step.status = "SKIPPED";
}

/**
 * A retry makes the failed compensations due again (their steps count as completed, with a fresh attempt count);
 * a resume makes the steps parking skipped due again. The SQL journals do the same (`reopenRun`).
 */
function applyReopened(run: RunSnapshot, event: Extract<RunEvent, { type: "run-reopened" }>): void {
  run.status = event.status;
  if (event.status === "RUNNING") {
    run.error = null;
    run.failedStep = null;
  } else if (event.error !== undefined) {
    run.error = event.error;
  }
  for (const step of run.steps) {
    if (event.action === "retry" && step.status === "COMPENSATION_FAILED")
      Object.assign(step, { status: "COMPLETED", compensationError: null, compensationAttempts: 0 });
    if (event.action === "resume" && step.status === "SKIPPED") step.status = "PENDING";
  }
}

function applyStepLevel(
  run: RunSnapshot,
  step: StepSnapshot,
  event: Exclude<RunEvent, { type: "run-started" } | RunLevelEvent>,
): void {
  switch (event.type) {
    case "step-started":
      step.status = "RUNNING";
      step.attempts = event.attempt;
      step.startedAt ??= event.at;
      return;
    case "step-retrying":
      step.error = event.error;
      return;
    case "step-completed":
      Object.assign(step, {
        status: "COMPLETED",
        attempts: event.attempts,
        result: event.result,
        error: null,
        endedAt: event.at,
      });
      run.data = event.data;
      return;
    case "step-failed":
      Object.assign(step, { status: "FAILED", attempts: event.attempts, error: event.error, endedAt: event.at });
      return;
    case "compensation-started":
      step.status = "COMPENSATING";
      step.compensationAttempts = event.attempt;
      return;
    case "compensation-completed":
      step.status = "COMPENSATED";
      return;
    case "compensation-failed":
      step.status = "COMPENSATION_FAILED";
      step.compensationError = event.error;
      return;
  }
}

/** The snapshot a `run-started` event opens. */
export function snapshotFromStart(event: Extract<RunEvent, { type: "run-started" }>): RunSnapshot {
  return {
    id: event.runId,
    workflow: event.workflow,
    status: "RUNNING",
    input: event.input,
    data: { ...event.data },
    resourceId: event.resourceId ?? null,
    idempotencyKey: event.idempotencyKey ?? null,
    transactional: event.transactional,
    result: null,
    error: null,
    failedStep: null,
    rolledBack: false,
    createdAt: event.at,
    updatedAt: event.at,
    steps: event.steps.map(pendingStep),
    cancelRequest: null,
  };
}
