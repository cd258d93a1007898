import type { ActionDefinition, RequestContext } from "../entity/define-action.ts";
import type { EntityDefinition } from "../entity/define-entity.ts";
import type { FieldMap } from "../entity/infer.ts";
import type { Driver, Row } from "../saga/driver.ts";
import { executeWorkflow } from "../saga/execute-workflow.ts";
import type { Logger } from "../saga/logger.ts";
import type { RunStore } from "../saga/run-store.ts";
import type { ServiceRegistry } from "../saga/services.ts";
import { failureError, ForbiddenError, NotFoundError, ValidationError } from "./action-errors.ts";
import { validateInput } from "./validate-input.ts";

/** What running an action needs from the application. */
export interface ActionRuntime {
  driver: Driver;
  store: RunStore;
  services: ServiceRegistry;
  logger: Logger;
}

export interface RunActionRequest {
  /** The row the action runs on; required unless the action was declared with `resource: false`. */
  id?: string;
  input?: unknown;
  idempotencyKey?: string;
  request?: RequestContext;
}

export interface ActionSuccess {
  runId: string;
  /** The last step's result. */
  result: unknown;
  /** The row after the run, or null for actions without a resource. */
  resource: Row | null;
}

/** Any `entity(...)` definition with its actions: what `runAction` and the GraphQL layer take. */
export type AnyEntity = EntityDefinition<string, FieldMap, Record<string, ActionDefinition<never, never, unknown, boolean>>>;

/**
 * Runs one entity action as a saga: checks the input, asks the authorization rule, loads the row, then
 * executes the workflow with the run journaled. Expected failures are thrown as `ActionError`s.
 */
export async function runAction(runtime: ActionRuntime, entity: AnyEntity, actionName: string, request: RunActionRequest): Promise<ActionSuccess> {
  const definition = entity.actionDefinitions[actionName];
  if (!definition) throw new Error(`Entity "${entity.name}" has no action "${actionName}"`);
  const input = validateInput(definition.inputFields, request.input);
  await authorize(definition, input, request);
  const resource = definition.hasResource ? await loadResource(runtime.driver, entity.name, request.id) : undefined;
  const outcome = await executeWorkflow(runtime.driver, definition.workflow, {
    input,
    resource,
    resourceId: definition.hasResource ? request.id : undefined,
    services: runtime.services,
    store: runtime.store,
    logger: runtime.logger,
    idempotencyKey: request.idempotencyKey,
  });
  if (!outcome.ok) throw failureError(outcome);
  const after = definition.hasResource ? await runtime.driver.findOne(entity.name, { id: request.id }) : null;
  return { runId: outcome.runId, result: outcome.result, resource: after };
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
