import type { RunEvent, RunEventType } from "../engine/journal/run-events.ts";
import { encodeJournalValue } from "./run-journal-json.ts";

/** A bind value before the dialect adapts it (SQLite binds neither Dates nor booleans). */
export type PlanValue = string | number | boolean | Date | null | readonly string[];
export type PlanParams = Record<string, PlanValue>;

/**
 * What one event changes, as SQL both journals share: `applyRunEvent` (run-snapshot.ts) written as UPDATEs.
 * Keeping a single copy of the semantics is what keeps SQLite and PostgreSQL in step with the in-memory journal.
 * Named parameters are `:name`; every plan also binds `:id`, `:at`, `:type` and `:payload` (the event's JSON).
 */
export interface EventPlan {
  /** SET clause of the event's step row (`WHERE run_id = :id AND idx = :idx`); absent for run-level events. */
  step?: string;
  /** SET clause of the run row, besides `updated_at` and `last_seq`, which every event moves. */
  run?: string;
  /** Steps still PENDING become SKIPPED when `:skip` is true (a run that did not complete). */
  skipsPending?: boolean;
}

type StepLevel = Exclude<RunEventType, "run-started" | "run-compensating" | "run-finished">;

export const EVENT_PLANS: Record<Exclude<RunEventType, "run-started">, EventPlan> = {
  "step-started": { step: "status = 'RUNNING', attempts = :attempt, started_at = COALESCE(started_at, :at)" },
  "step-retrying": { step: "error = :error" },
  "step-completed": {
    step: "status = 'COMPLETED', attempts = :attempts, result = :result, error = NULL, ended_at = :at",
    run: "data = :data",
  },
  "step-failed": { step: "status = 'FAILED', attempts = :attempts, error = :error, ended_at = :at" },
  // The compensation's attempt is kept too, so recovery grants a compensation no extra attempts either.
  "compensation-started": { step: "status = 'COMPENSATING', compensation_attempts = :attempt" },
  "compensation-completed": { step: "status = 'COMPENSATED'" },
  "compensation-failed": { step: "status = 'COMPENSATION_FAILED', compensation_error = :error" },
  "run-compensating": {
    run: "status = 'COMPENSATING', failed_step = :failedStep, error = :error, rolled_back = :rolledBack",
  },
  // Only the first request is kept; the run goes on until its owner stops it.
  "run-cancel-requested": { run: "cancel_request = COALESCE(cancel_request, :cancelRequest)" },
  // The rest of a reopening (lease, parking, steps) is the store's `reopenRun` statement.
  "run-reopened": {
    run: "status = :status, error = CASE WHEN :status = 'RUNNING' THEN NULL ELSE COALESCE(:error, error) END, failed_step = CASE WHEN :status = 'RUNNING' THEN NULL ELSE failed_step END",
  },
  // A NULL parameter (the event carried no result / error) keeps the column: JSON null is the text 'null'.
  "run-finished": {
    run: "status = :status, result = COALESCE(:result, result), error = COALESCE(:error, error)",
    skipsPending: true,
  },
};

export function isStepLevel(type: RunEventType): type is StepLevel {
  return EVENT_PLANS[type as StepLevel]?.step !== undefined;
}

/** The bind values of an event other than `run-started`. */
export function eventParams(event: Exclude<RunEvent, { type: "run-started" }>): PlanParams {
  const params: PlanParams = { id: event.runId, at: event.at, type: event.type, payload: encodeEvent(event) };
  switch (event.type) {
    case "step-started":
    case "compensation-started":
      return { ...params, idx: event.index, attempt: event.attempt };
    case "step-retrying":
    case "compensation-failed":
      return { ...params, idx: event.index, error: encode(event.error, "the error", event) };
    case "step-completed":
      return {
        ...params,
        idx: event.index,
        attempts: event.attempts,
        result: encode(event.result, "the result", event),
        data: encode(event.data, "the data", event) ?? "{}",
      };
    case "step-failed":
      return { ...params, idx: event.index, attempts: event.attempts, error: encode(event.error, "the error", event) };
    case "compensation-completed":
      return { ...params, idx: event.index };
    case "run-compensating":
      return {
        ...params,
        failedStep: event.failedStep,
        error: encode(event.error, "the error", event),
        rolledBack: event.rolledBack,
      };
    case "run-cancel-requested":
      return { ...params, cancelRequest: encodeCancelRequest(event) };
    case "run-reopened":
      return { ...params, status: event.status, action: event.action, error: encode(event.error, "the error", event) };
    case "run-finished":
      return {
        ...params,
        status: event.status,
        skip: event.status !== "COMPLETED",
        result: encode(event.result, "the result", event),
        error: encode(event.error, "the error", event),
      };
  }
}

/** The run's `cancel_request` column: who asked, why and when (an ISO time, decoded by `decodeCancelRequest`). */
function encodeCancelRequest(event: Extract<RunEvent, { type: "run-cancel-requested" }>): string {
  return JSON.stringify({ by: event.by, reason: event.reason, at: event.at.toISOString() });
}

/** The event's own fields: its run, type and time have columns of their own (`toJournaledEvent` puts them back). */
export function encodeEvent(event: RunEvent): string {
  const { runId, type, at, ...fields } = event;
  return encodeJournalValue(fields, `the ${type} event of run ${runId}`)!;
}

function encode(value: unknown, what: string, event: RunEvent): string | null {
  const where = "step" in event ? ` of step "${event.step}"` : "";
  return encodeJournalValue(value, `${what}${where} (${event.type}, run ${event.runId})`);
}

/** `:name` → `$n` for PostgreSQL, in order of first use; returns the text and the parameter order. */
export function toPositional(sql: string): { text: string; names: string[] } {
  const names: string[] = [];
  const text = sql.replace(/(?<!:):([a-zA-Z]\w*)/g, (_match, name: string) => {
    let index = names.indexOf(name);
    if (index < 0) index = names.push(name) - 1;
    return `$${index + 1}`;
  });
  return { text, names };
}
