import type { ActionDefinition, RequestContext } from "../entity/define-action.ts";
import type { EntityDefinition } from "../entity/define-entity.ts";
import type { FieldMap } from "../entity/infer.ts";
import type { Driver, Row } from "../engine/definition/driver.ts";
import type { Logger } from "../engine/logger.ts";
import type { RunJournal } from "../engine/journal/run-journal.ts";
import type { ServiceRegistry } from "../engine/definition/services.ts";
import { waitOutTransient } from "../engine/execution/wait-out-transient.ts";
import { prepareAttempt, reportedFailure, runWaitingForResource } from "./action-attempt.ts";
import { concealingConflicts, conflictContext } from "./concealed-conflict.ts";

/** What running an action needs from the application. */
export interface ActionRuntime {
  driver: Driver;
  store: RunJournal;
  services: ServiceRegistry;
  logger: Logger;
  /**
   * How long a request whose idempotency key names a run still in progress waits for that run to end, in ms,
   * before it fails with `RunInProgressError` (the client retries later with the same key).
   * @default 15000
   */
  idempotencyWaitMs?: number;
  /**
   * How long an action on a row waits for another action's run on the same row to end, in ms, before it fails
   * with `ResourceBusyError` (nothing ran). One run per row at a time: a run holds its row until it ends.
   * @default 5000
   */
  resourceWaitMs?: number;
}

export interface RunActionRequest {
  /** The row the action runs on; required unless the action was declared with `resource: false`. */
  id?: string;
  input?: unknown;
  /**
   * Runs the action at most once per key (1 to 255 characters, per action): a repeated request with the same
   * key, id and input gets the first run's outcome; with another id or input it fails with
   * `IdempotencyConflictError`. Needs a run journal that finds runs by key (the SQL journals and `InMemoryRunJournal` do).
   */
  idempotencyKey?: string;
  request?: RequestContext;
}

export interface ActionSuccess {
  runId: string;
  /** The last step's result. */
  result: unknown;
  /** The row after the run, or null for actions without a resource. */
  resource: Row | null;
  /** True when an earlier request with the same idempotency key ran the action and this is its outcome again. */
  replayed: boolean;
}

/** Any `entity(...)` definition with its actions: what `runAction` and the GraphQL layer take. */
export type AnyEntity = EntityDefinition<
  string,
  FieldMap,
  Record<string, ActionDefinition<never, never, unknown, boolean>>
>;

/**
 * Runs one entity action as a saga: checks the input (and idempotency key), asks the authorization rule, waits
 * until no other run holds the row, loads it, then executes the workflow with the run journaled — or, under a key
 * that already has a run, replays that run's outcome. Expected failures are thrown as `ActionError`s, a replayed
 * failure as the same one.
 */
export async function runAction(
  runtime: ActionRuntime,
  entity: AnyEntity,
  actionName: string,
  request: RunActionRequest,
): Promise<ActionSuccess> {
  const attempt = await prepareAttempt(entity, actionName, request, runtime);
  const { outcome, replayed } = await concealingConflicts(conflictContext(runtime, attempt), () =>
    runWaitingForResource(runtime, attempt),
  );
  if (!outcome.ok) throw reportedFailure(runtime, outcome, replayed);
  // The run's effects stand whatever becomes of this read: a fault it can wait out must not turn them into an error.
  const transientRetry = attempt.definition.workflow.options.transientRetry;
  const after =
    attempt.id === undefined
      ? null
      : await waitOutTransient(() => runtime.driver.findOne(entity.name, { id: attempt.id }), transientRetry);
  return { runId: outcome.runId, result: outcome.result, resource: after, replayed };
}
