import type { DataMap } from "../definition/context.ts";
import type { SerializedError } from "../errors.ts";

export type RunStatus = "RUNNING" | "COMPLETED" | "COMPENSATING" | "COMPENSATED" | "FAILED" | "CANCELLED";

/** How a finished run ended. */
export type FinalRunStatus = "COMPLETED" | "COMPENSATED" | "FAILED" | "CANCELLED";

/** Who asked for a run to be cancelled, retried or resumed, and why: journaled with the request. */
export interface RunControlRequest {
  /** Who asked: a user id from the request context, or "anonymous". */
  by: string;
  reason: string | null;
}
export type StepStatus =
  "PENDING" | "RUNNING" | "COMPLETED" | "FAILED" | "COMPENSATING" | "COMPENSATED" | "COMPENSATION_FAILED" | "SKIPPED";

interface EventBase {
  runId: string;
  at: Date;
}

interface StepEventBase extends EventBase {
  step: string;
  /** Position of the step in the workflow, from 0. */
  index: number;
}

/**
 * Every transition of a run, in the order it happens. A run journal persists them; subscribers stream them.
 * Steps that never ran because an earlier one failed end SKIPPED when the run finishes.
 */
export type RunEvent =
  | (EventBase & {
      type: "run-started";
      workflow: string;
      steps: readonly string[];
      input: unknown;
      data: DataMap;
      resourceId: string | undefined;
      /** The row the action runs on, as loaded before the run: a resumed run's `ctx.resource`. */
      resource?: unknown;
      transactional: boolean;
      idempotencyKey: string | undefined;
      /**
       * The resource the run holds until it ends (e.g. `order:42`): a store refuses to start a second unfinished
       * run with the same key (`ResourceHeldError`). Absent: the run holds nothing.
       */
      resourceKey?: string;
    })
  | (StepEventBase & { type: "step-started"; attempt: number })
  | (StepEventBase & { type: "step-retrying"; attempt: number; error: SerializedError; delayMs: number })
  // `wroteInTransaction`: an external step of a workflow transaction that also wrote through it; a later try of the
  // transaction, in this process or a resuming one, runs it again rather than reusing its result.
  | (StepEventBase & {
      type: "step-completed";
      attempts: number;
      result: unknown;
      data: DataMap;
      wroteInTransaction?: true;
    })
  | (StepEventBase & { type: "step-failed"; attempts: number; error: SerializedError })
  | (EventBase & { type: "run-compensating"; failedStep: string | null; error: SerializedError; rolledBack: boolean })
  | (StepEventBase & { type: "compensation-started"; attempt: number })
  | (StepEventBase & { type: "compensation-completed"; byRollback: boolean })
  | (StepEventBase & { type: "compensation-failed"; error: SerializedError })
  // Written by any instance, not only the run's owner: the owner hears of it and stops the run.
  | (EventBase & RunControlRequest & { type: "run-cancel-requested" })
  // A finished run opened again by a person: `retry` (a FAILED run's failed compensations run again) or `resume`
  // (a parked run goes on). `error`: the run's error as it was before it was parked, put back.
  | (EventBase &
      RunControlRequest & {
        type: "run-reopened";
        action: "retry" | "resume";
        status: "RUNNING" | "COMPENSATING";
        error?: SerializedError;
      })
  | (EventBase & {
      type: "run-finished";
      status: FinalRunStatus;
      result?: unknown;
      error?: SerializedError;
    });

export type RunEventType = RunEvent["type"];
