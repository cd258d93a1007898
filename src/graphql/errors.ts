import {
  ActionError,
  CompensationFailedError,
  ForbiddenError,
  IdempotencyConflictError,
  NotFoundError,
  ResourceBusyError,
  RunInProgressError,
  StepFailedError,
  ValidationError,
  WorkflowCancelledError,
  type FieldProblem,
} from "../action/action-errors.ts";
import type { FailedCompensation } from "../engine/execution/compensate.ts";
import { publicError } from "../action/public-error.ts";
import type { Builder } from "./builder.ts";

/** The failure members every action's result union carries, in the order the union lists them. */
export const ACTION_ERROR_CLASSES = [
  StepFailedError,
  CompensationFailedError,
  WorkflowCancelledError,
  ValidationError,
  NotFoundError,
  ForbiddenError,
  RunInProgressError,
  IdempotencyConflictError,
  ResourceBusyError,
];

type WorkflowErrorRef = ReturnType<typeof addWorkflowErrorInterface>;

/** Unions of error classes are resolved by class, since that is what the runtime throws. */
const isInstance = (errorClass: abstract new (...args: never[]) => unknown) => (value: unknown) =>
  value instanceof errorClass;

/**
 * `interface WorkflowError` and one object type per `ActionError` class, all implementing it, so one
 * `... on WorkflowError` fragment handles every failure. The resolvers only read the error objects the
 * runtime throws; the GraphQL layer adds no failure semantics of its own.
 */
export function addWorkflowErrorTypes(builder: Builder): void {
  const workflowError = addWorkflowErrorInterface(builder);
  addRunFailureTypes(builder, workflowError);
  addRequestErrorTypes(builder, workflowError);
  addIdempotencyErrorTypes(builder, workflowError);
}

function addWorkflowErrorInterface(builder: Builder) {
  return builder.interfaceRef<ActionError>("WorkflowError").implement({
    description: "What every failure of an action reports.",
    fields: (t) => ({
      message: t.exposeString("message", { description: "What went wrong, for people." }),
      code: t.exposeString("code", {
        description:
          "Stable, for programs: ACTION_ERROR (a step failed), COMPENSATION_FAILED, VALIDATION_ERROR, NOT_FOUND, FORBIDDEN, " +
          "RUN_IN_PROGRESS, IDEMPOTENCY_CONFLICT, RESOURCE_BUSY, RUN_CANCELLED.",
      }),
      failedStep: t.exposeString("failedStep", {
        nullable: true,
        description: "The step that failed; null when the run failed before any step.",
      }),
      compensatedSteps: t.exposeStringList("compensatedSteps", {
        description: "Undone steps, in the order they were undone (reverse of execution).",
      }),
      runId: t.exposeID("runId", {
        nullable: true,
        description: "The journaled run (see workflowRun); null when no run started.",
      }),
    }),
  });
}

/** The two outcomes of a run whose step failed: both carry what the run did, the second also what it could not undo. */
function addRunFailureTypes(builder: Builder, workflowError: WorkflowErrorRef): void {
  const kinds = [
    [StepFailedError, "StepFailedError", "A step failed; the completed steps were compensated (or rolled back)."],
    [
      CompensationFailedError,
      "CompensationFailedError",
      "A step failed and undoing an earlier step failed too: the run is FAILED and a person must look.",
    ],
    [
      WorkflowCancelledError,
      "WorkflowCancelledError",
      "The run was cancelled (workflowRunCancel): the step under way was aborted and the completed steps were compensated; the run is CANCELLED.",
    ],
  ] as const;
  for (const [errorClass, name, description] of kinds) {
    builder.objectType(errorClass as typeof StepFailedError, {
      name,
      description,
      interfaces: [workflowError],
      isTypeOf: isInstance(errorClass),
      fields: (t) => ({
        uncompensatedSteps: t.stringList({
          description: "Completed steps without a compensation: their effects remain.",
          resolve: (error) => [...error.uncompensatedSteps],
        }),
        attempts: t.exposeInt("attempts", { description: "How many attempts the failed step made." }),
        causeCode: t.exposeString("causeCode", {
          nullable: true,
          description: "The failed step's own error code, when it had one (e.g. PAYMENT_DECLINED).",
        }),
      }),
    });
  }
  const failedCompensation = builder.objectRef<FailedCompensation>("FailedCompensation").implement({
    description: "A compensation that still failed after its retries.",
    fields: (t) => ({
      step: t.exposeString("step"),
      message: t.string({ resolve: (failed) => publicError(failed.error, failed.step).message }),
      code: t.string({ nullable: true, resolve: (failed) => publicError(failed.error, failed.step).code }),
    }),
  });
  builder.objectFields(WorkflowCancelledError, (t) => ({
    reason: t.exposeString("reason", { nullable: true, description: "Why, as the canceller said." }),
    cancelledBy: t.exposeString("cancelledBy", { description: "Who cancelled it (from their request), or anonymous." }),
  }));
  builder.objectField(CompensationFailedError, "failedCompensations", (t) =>
    t.field({ type: [failedCompensation], resolve: (error) => [...error.failedCompensations] }),
  );
}

function addRequestErrorTypes(builder: Builder, workflowError: WorkflowErrorRef): void {
  const problem = builder.objectRef<FieldProblem>("FieldProblem").implement({
    description: "One thing wrong with one input field.",
    fields: (t) => ({ field: t.exposeString("field"), message: t.exposeString("message") }),
  });
  builder.objectType(ValidationError, {
    name: "ValidationError",
    description: "The request was refused before any step ran; nothing changed.",
    interfaces: [workflowError],
    isTypeOf: isInstance(ValidationError),
    fields: (t) => ({ problems: t.field({ type: [problem], resolve: (error) => [...error.problems] }) }),
  });
  builder.objectType(NotFoundError, {
    name: "NotFoundError",
    description: "The row the action runs on does not exist; nothing ran.",
    interfaces: [workflowError],
    isTypeOf: isInstance(NotFoundError),
    fields: (t) => ({
      entity: t.exposeString("entity", { description: "The entity's name, e.g. order." }),
      resourceId: t.id({ description: "The id that was asked for.", resolve: (error) => error.id }),
    }),
  });
  builder.objectType(ForbiddenError, {
    name: "ForbiddenError",
    description: "The action's authorization rule refused the request; nothing ran.",
    interfaces: [workflowError],
    isTypeOf: isInstance(ForbiddenError),
  });
  builder.objectType(ResourceBusyError, {
    name: "ResourceBusyError",
    description:
      "Another action's run still holds the row (one run per row at a time) after the server's wait; nothing ran. Send the request again later.",
    interfaces: [workflowError],
    isTypeOf: isInstance(ResourceBusyError),
    fields: (t) => ({
      entity: t.exposeString("entity", { description: "The entity's name, e.g. order." }),
      resourceId: t.id({ description: "The row's id.", resolve: (error) => error.id }),
    }),
  });
}

/** Answers to a reused idempotency key that are not the run's outcome: it is still going, or the key named another request. */
function addIdempotencyErrorTypes(builder: Builder, workflowError: WorkflowErrorRef): void {
  const mismatch = builder.enumType("IdempotencyMismatch", {
    description: "What differs between a request and the run its idempotency key already names.",
    values: {
      INPUT: { value: "input" as const, description: "Another input." },
      RESOURCE: { value: "resource" as const, description: "Another id (the row the action runs on)." },
    },
  });
  builder.objectType(RunInProgressError, {
    name: "RunInProgressError",
    description:
      "The run this idempotency key names is still in progress after the server's wait; nothing new ran. Retry later with the same key.",
    interfaces: [workflowError],
    isTypeOf: isInstance(RunInProgressError),
    fields: (t) => ({
      idempotencyKey: t.exposeString("idempotencyKey", {
        nullable: true,
        description: "Null when the request sent none: its own run was taken over by another instance.",
      }),
    }),
  });
  builder.objectType(IdempotencyConflictError, {
    name: "IdempotencyConflictError",
    description:
      "This idempotency key was already used with another input or id (the run is runId); nothing ran. Use a new key for a new request.",
    interfaces: [workflowError],
    isTypeOf: isInstance(IdempotencyConflictError),
    fields: (t) => ({
      // Nullable like RunInProgressError's, so that a selection of both validates.
      idempotencyKey: t.exposeString("idempotencyKey", { nullable: true, description: "The key the request reused." }),
      mismatch: t.field({ type: mismatch, resolve: (error) => error.mismatch }),
    }),
  });
}
