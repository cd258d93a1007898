import type { FailedCompensation } from "../engine/execution/compensate.ts";
import type { WorkflowFailure } from "../engine/execution/execute-workflow.ts";
import { isInfrastructureError, publicError } from "./public-error.ts";
import { SagaqlError } from "../engine/errors.ts";

/**
 * Expected failures of an action, each with the `WorkflowError` shape clients see: the GraphQL layer turns
 * every subclass into a union member implementing that interface. Anything else thrown is a bug: logged and masked.
 */
export abstract class ActionError extends SagaqlError {
  readonly failedStep: string | null = null;
  readonly compensatedSteps: readonly string[] = [];
  readonly runId: string | null = null;
}

/** What both kinds of failed run report. */
export abstract class RunFailedError extends ActionError {
  override readonly failedStep: string | null;
  override readonly compensatedSteps: readonly string[];
  override readonly runId: string;
  readonly uncompensatedSteps: readonly string[];
  readonly attempts: number;
  /**
   * The failed step's own error code, when it had one (e.g. `PAYMENT_DECLINED`); for a failure of the database,
   * its driver or the journal, a stable code such as `DATABASE_UNAVAILABLE` or `DATABASE_ERROR`.
   */
  readonly causeCode: string | null;

  /** `message` is what a client may see: an infrastructure error's own text stays in `failure.cause` and the log. */
  constructor(failure: WorkflowFailure) {
    const shown = publicError(failure.cause, failure.failedStep);
    super(isInfrastructureError(failure.cause) ? shown.message : failure.error);
    this.failedStep = failure.failedStep;
    this.compensatedSteps = failure.compensatedSteps;
    this.runId = failure.runId;
    this.uncompensatedSteps = failure.uncompensatedSteps;
    this.attempts = failure.attempts;
    this.causeCode = shown.code;
  }
}

/** A step failed; the completed steps were compensated (code `ACTION_ERROR`). */
export class StepFailedError extends RunFailedError {
  readonly code = "ACTION_ERROR";

  constructor(failure: WorkflowFailure) {
    super(failure);
    this.name = "StepFailedError";
  }
}

/** A step failed and at least one compensation failed too: the run is FAILED and a person must look. */
export class CompensationFailedError extends RunFailedError {
  readonly code = "COMPENSATION_FAILED";
  readonly failedCompensations: readonly FailedCompensation[];

  constructor(failure: WorkflowFailure) {
    super(failure);
    this.name = "CompensationFailedError";
    this.failedCompensations = failure.failedCompensations;
  }
}

export interface FieldProblem {
  field: string;
  message: string;
}

/** The request was refused before any step ran; nothing changed. */
export class ValidationError extends ActionError {
  readonly code = "VALIDATION_ERROR";
  constructor(
    message: string,
    readonly problems: readonly FieldProblem[] = [],
  ) {
    super(message);
    this.name = "ValidationError";
  }
}

export class NotFoundError extends ActionError {
  readonly code = "NOT_FOUND";
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} "${id}" not found`);
    this.name = "NotFoundError";
  }
}

/** The action's authorization rule said no. */
export class ForbiddenError extends ActionError {
  readonly code = "FORBIDDEN";
  constructor(message: string) {
    super(message);
    this.name = "ForbiddenError";
  }
}

/**
 * The run the request is waiting for is still going after the wait bound (`ActionRuntime.idempotencyWaitMs`): a
 * request that reused a key whose run is in progress (nothing new ran; retry later with the same key for the
 * outcome), or one whose own run another instance took over (read `workflowRun(runId)` for the outcome).
 */
export class RunInProgressError extends ActionError {
  readonly code = "RUN_IN_PROGRESS";
  override readonly runId: string;

  constructor(
    runId: string,
    readonly idempotencyKey: string | null,
  ) {
    super(
      idempotencyKey === null
        ? `Run ${runId} is still in progress on another instance; read workflowRun(id: "${runId}") for its outcome`
        : `The run for idempotency key "${idempotencyKey}" (${runId}) is still in progress; retry later with the same key for its outcome`,
    );
    this.name = "RunInProgressError";
    this.runId = runId;
  }
}

/**
 * Another run of an action still holds the row (one run per row at a time), and it did not end within the wait
 * bound (`ActionRuntime.resourceWaitMs`). Nothing ran; the same request can be sent again later.
 */
export class ResourceBusyError extends ActionError {
  readonly code = "RESOURCE_BUSY";

  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} "${id}" is busy with another action's run; nothing ran, retry later`);
    this.name = "ResourceBusyError";
  }
}

/** What differs between the request and the run its idempotency key already names. */
export type IdempotencyMismatch = "input" | "resource";

/**
 * A request reused an idempotency key for a different request: another input or another row than the run
 * the key names (`runId`). Nothing ran; a new request needs a new key.
 */
export class IdempotencyConflictError extends ActionError {
  readonly code = "IDEMPOTENCY_CONFLICT";
  /** null when the run is on a row the caller may not run the action on: it is not theirs to know. */
  override readonly runId: string | null;

  constructor(
    runId: string | null,
    readonly idempotencyKey: string,
    readonly mismatch: IdempotencyMismatch,
  ) {
    const what = mismatch === "input" ? "a different input" : "a different resource id";
    const by = runId === null ? "another run" : `run ${runId}`;
    super(
      `Idempotency key "${idempotencyKey}" was already used by ${by} with ${what}; use a new key for a new request`,
    );
    this.name = "IdempotencyConflictError";
    this.runId = runId;
  }
}

/**
 * The run was cancelled (`workflowRunCancel`): the step under way was aborted and every completed step undone
 * (status CANCELLED). A cancelled run whose compensation failed is a `CompensationFailedError` instead.
 */
export class WorkflowCancelledError extends RunFailedError {
  readonly code = "RUN_CANCELLED";
  /** Why, as the canceller said. */
  readonly reason: string | null;
  /** Who cancelled it, from their request (or "anonymous"). */
  readonly cancelledBy: string;

  constructor(failure: WorkflowFailure) {
    super(failure);
    this.name = "WorkflowCancelledError";
    this.reason = failure.cancelled?.reason ?? null;
    this.cancelledBy = failure.cancelled?.by ?? "anonymous";
  }
}

/** FAILED (a compensation failed, or the run was parked) is the one a person must look at, replayed runs included. */
export function failureError(failure: WorkflowFailure): RunFailedError {
  if (failure.status === "FAILED" || failure.failedCompensations.length > 0)
    return new CompensationFailedError(failure);
  return failure.status === "CANCELLED" ? new WorkflowCancelledError(failure) : new StepFailedError(failure);
}
