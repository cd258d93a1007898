import type { ActionDefinition, RequestContext } from "../entity/define-action.ts";
import type { EntityDefinition } from "../entity/define-entity.ts";
import type { FieldMap } from "../entity/infer.ts";
import type { Driver, Row } from "../saga/driver.ts";
import { executeWorkflow } from "../saga/execute-workflow.ts";
import type { Logger } from "../saga/logger.ts";
import type { RunStore } from "../saga/run-store.ts";
import type { ServiceRegistry } from "../saga/services.ts";
import { failureError, ForbiddenError, NotFoundError, ValidationError } from "./action-errors.ts";
import { DEFAULT_IDEMPOTENCY_WAIT_MS, keyedStore, runIdempotently } from "./idempotent-action.ts";
import { validateInput } from "./validate-input.ts";

/** What running an action needs from the application. */
export interface ActionRuntime {
  driver: Driver;
  store: RunStore;
  services: ServiceRegistry;
  logger: Logger;
  /**
   * How long a request whose idempotency key names a run still in progress waits for that run to end, in ms,
   * before it fails with `RunInProgressError` (the client retries later with the same key).
   * @default 15000
   */
  idempotencyWaitMs?: number;
}

export interface RunActionRequest {
  /** The row the action runs on; required unless the action was declared with `resource: false`. */
  id?: string;
  input?: unknown;
  /**
   * Runs the action at most once per key (1 to 255 characters, per action): a repeated request with the same
   * key, id and input gets the first run's outcome; with another id or input it fails with
   * `IdempotencyConflictError`. Needs a run store that finds runs by key (the SQL stores and `InMemoryRunStore` do).
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
export type AnyEntity = EntityDefinition<string, FieldMap, Record<string, ActionDefinition<never, never, unknown, boolean>>>;

/**
 * Runs one entity action as a saga: checks the input (and idempotency key), asks the authorization rule, loads
 * the row, then executes the workflow with the run journaled — or, under a key that already has a run, replays
 * that run's outcome. Expected failures are thrown as `ActionError`s, a replayed failure as the same one.
 */
export async function runAction(runtime: ActionRuntime, entity: AnyEntity, actionName: string, request: RunActionRequest): Promise<ActionSuccess> {
  const definition = entity.actionDefinitions[actionName];
  if (!definition) throw new Error(`Entity "${entity.name}" has no action "${actionName}"`);
  const input = validateInput(definition.inputFields, request.input);
  const store = keyedStore(request.idempotencyKey, runtime.store);
  await authorize(definition, input, request);
  const resource = definition.hasResource ? await loadResource(runtime.driver, entity.name, request.id) : undefined;
  const resourceId = definition.hasResource ? request.id : undefined;
  const execute = () =>
    executeWorkflow(runtime.driver, definition.workflow, {
      input,
      resource,
      resourceId,
      services: runtime.services,
      store: runtime.store,
      logger: runtime.logger,
      idempotencyKey: request.idempotencyKey,
    });
  // Without a key, no look-up: the common request pays nothing for idempotency.
  const { outcome, replayed } =
    store === undefined
      ? { outcome: await execute(), replayed: false }
      : await runIdempotently(
          store,
          { workflow: definition.workflow.name, key: request.idempotencyKey!, input, resourceId: resourceId ?? null, waitMs: runtime.idempotencyWaitMs ?? DEFAULT_IDEMPOTENCY_WAIT_MS },
          execute,
        );
  if (!outcome.ok) throw failureError(outcome);
  const after = definition.hasResource ? await runtime.driver.findOne(entity.name, { id: request.id }) : null;
  return { runId: outcome.runId, result: outcome.result, resource: after, replayed };
}

async function authorize(definition: ActionDefinition<unknown, never, unknown, boolean>, input: unknown, request: RunActionRequest): Promise<void> {
  if (!definition.authorize) return;
  const verdict = await definition.authorize({ request: request.request ?? {}, input: input as never, resourceId: request.id });
  if (verdict === true) return;
  throw new ForbiddenError(typeof verdict === "string" && verdict !== "" ? verdict : "Not allowed to run this action");
}

async function loadResource(driver: Driver, entity: string, id: string | undefined): Promise<Row> {
  if (id === undefined || id === "") throw new ValidationError("id is required", [{ field: "id", message: "is required" }]);
  const row = await driver.findOne(entity, { id });
  if (!row) throw new NotFoundError(entity, id);
  return row;
}
