import type { ActionDefinition } from "../entity/define-action.ts";
import type { Row } from "../engine/definition/driver.ts";
import { causeMatching, ResourceHeldError, RunFinishedError, RunLeaseLostError } from "../engine/errors.ts";
import { executeWorkflow, type WorkflowFailure, type WorkflowOutcome } from "../engine/execution/execute-workflow.ts";
import { waitOutTransient } from "../engine/execution/wait-out-transient.ts";
import { failureError, ForbiddenError, ValidationError } from "./action-errors.ts";
import {
  DEFAULT_IDEMPOTENCY_WAIT_MS,
  keyedStore,
  runIdempotently,
  waitForEnd,
  type IdempotentOutcome,
  type IdempotentRequest,
  type KeyedRunJournal,
} from "./idempotent-action.ts";
import { outcomeOfFinishedRun } from "./idempotent-replay.ts";
import { actionRowCheck, type ActionRowCheck } from "./action-access.ts";
import { isInfrastructureError } from "./public-error.ts";
import { resourceKey } from "./resource-key.ts";
import type { ActionRuntime, AnyEntity, RunActionRequest } from "./run-action.ts";
import { validateInput } from "./validate-input.ts";
import { DEFAULT_RESOURCE_WAIT_MS, waitForResource } from "./wait-for-resource.ts";

/*
 * One request's way through an action, shared by `runAction` (waits for the outcome) and `startAction` (answers
 * once the run started): the checks that need no run, then tries until no other run holds the row, each try
 * idempotent under the request's key, and a run lost to another instance followed to its end.
 */

/** Validation, the key's shape, the authorization rule and the id: everything that needs no run. */
export async function prepareAttempt(
  entity: AnyEntity,
  actionName: string,
  request: RunActionRequest,
  runtime: ActionRuntime,
): Promise<Attempt> {
  const definition = entity.actionDefinitions[actionName];
  if (!definition) throw new Error(`Entity "${entity.name}" has no action "${actionName}"`);
  const input = validateInput(definition.inputFields, request.input);
  const store = keyedStore(request.idempotencyKey, runtime.store);
  await authorize(definition, input, request);
  const id = definition.hasResource ? requireId(request.id) : undefined;
  // Before any replay under the key: a caller refused the row never sees another caller's outcome on it.
  const rowCheck = await actionRowCheck(
    runtime.driver,
    entity,
    actionName,
    request.request ?? {},
    id,
    definition.workflow.options.transientRetry,
  );
  return { entity, definition, input, id, store, idempotencyKey: request.idempotencyKey, rowCheck };
}

export function runWaitingForResource(runtime: ActionRuntime, attempt: Attempt): Promise<IdempotentOutcome> {
  const once = () => runOnce(runtime, attempt);
  if (attempt.id === undefined) return once();
  return waitForResource(
    { entity: attempt.entity.name, id: attempt.id, waitMs: runtime.resourceWaitMs ?? DEFAULT_RESOURCE_WAIT_MS },
    once,
  );
}

export function requestOf(runtime: ActionRuntime, attempt: Attempt): IdempotentRequest {
  const { definition, input, id } = attempt;
  return {
    workflow: definition.workflow.name,
    key: attempt.idempotencyKey!,
    input,
    resourceId: id ?? null,
    waitMs: runtime.idempotencyWaitMs ?? DEFAULT_IDEMPOTENCY_WAIT_MS,
    transientRetry: definition.workflow.options.transientRetry,
  };
}

interface Attempt {
  entity: AnyEntity;
  definition: ActionDefinition<unknown, never, unknown, boolean>;
  input: unknown;
  /** The row the action runs on; undefined for an action without a resource. */
  id: string | undefined;
  store: KeyedRunJournal | undefined;
  idempotencyKey: string | undefined;
  /** The entity's access rule of the action, as the where its row must match. */
  rowCheck: ActionRowCheck;
  /** See `ExecuteOptions.onStarted`. */
  onStarted?: (runId: string) => void;
}

/**
 * One try at running the action: refused with `ResourceHeldError` while another run holds the row, before the
 * row is read, so that the run reads it as the holder left it. A run that starts holds the row until it ends.
 */
async function runOnce(runtime: ActionRuntime, attempt: Attempt): Promise<IdempotentOutcome> {
  const { entity, definition, id, store } = attempt;
  const key = id === undefined ? undefined : resourceKey(entity.name, id);
  const execute = async () => {
    const resource = key === undefined ? undefined : await loadFreeResource(runtime, attempt, key);
    return executeWorkflow(runtime.driver, definition.workflow, {
      input: attempt.input,
      resource,
      resourceId: id,
      resourceKey: key,
      services: runtime.services,
      store: runtime.store,
      logger: runtime.logger,
      idempotencyKey: attempt.idempotencyKey,
      onStarted: attempt.onStarted,
    });
  };
  const executeOrFollow = () =>
    followIfTakenOver(runtime, execute, attempt.idempotencyKey ?? null, definition.workflow.options.transientRetry);
  // Without a key, no look-up: the common request pays nothing for idempotency.
  if (store === undefined) return { outcome: await executeOrFollow(), replayed: false };
  return runIdempotently(store, requestOf(runtime, attempt), executeOrFollow);
}

/**
 * An instance that lost its run to another one (its lease ran out while it was cut off) stops without undoing
 * anything; its caller then gets the outcome the other instance reaches, as a duplicate request would.
 */
async function followIfTakenOver(
  runtime: ActionRuntime,
  execute: () => Promise<WorkflowOutcome<unknown>>,
  key: string | null,
  transientRetry: IdempotentRequest["transientRetry"],
): Promise<WorkflowOutcome<unknown>> {
  try {
    return await execute();
  } catch (error) {
    const runId = takenOverRun(error);
    if (runId === undefined) throw error;
    const finished = await waitForEnd(
      runtime.store,
      runId,
      runtime.idempotencyWaitMs ?? DEFAULT_IDEMPOTENCY_WAIT_MS,
      key,
      transientRetry,
    );
    return outcomeOfFinishedRun(finished);
  }
}

/** The run a journal refused this instance's write for, because another instance owns or ended it. */
function takenOverRun(error: unknown): string | undefined {
  return causeMatching(
    error,
    (candidate) => candidate instanceof RunLeaseLostError || candidate instanceof RunFinishedError,
  )?.runId;
}

/** A failure the infrastructure caused is logged with its detail here, since its client gets only a plain message. */
export function reportedFailure(runtime: ActionRuntime, failure: WorkflowFailure, replayed: boolean): Error {
  if (!replayed && isInfrastructureError(failure.cause)) {
    runtime.logger.error(
      { runId: failure.runId, step: failure.failedStep, status: failure.status, err: failure.cause },
      "an action's run failed on an infrastructure error",
    );
  }
  return failureError(failure);
}

async function authorize(
  definition: ActionDefinition<unknown, never, unknown, boolean>,
  input: unknown,
  request: RunActionRequest,
): Promise<void> {
  if (!definition.authorize) return;
  const verdict = await definition.authorize({
    request: request.request ?? {},
    input: input as never,
    resourceId: request.id,
  });
  if (verdict === true) return;
  throw new ForbiddenError(typeof verdict === "string" && verdict !== "" ? verdict : "Not allowed to run this action");
}

function requireId(id: string | undefined): string {
  if (id === undefined || id === "")
    throw new ValidationError("id is required", [{ field: "id", message: "is required" }]);
  return id;
}

/**
 * The store refuses a second run on the row anyway; asking first spares a read of a row that is not free yet.
 * Both reads wait out a fault that passes, as the run itself would.
 */
async function loadFreeResource(runtime: ActionRuntime, attempt: Attempt, key: string): Promise<Row> {
  const { store, driver } = runtime;
  const entity = attempt.entity.name;
  const id = attempt.id!;
  const transientRetry = attempt.definition.workflow.options.transientRetry;
  const holder = store.findRunHolding ? await waitOutTransient(() => store.findRunHolding!(key), transientRetry) : null;
  if (holder !== null) throw new ResourceHeldError(key, holder);
  // The rule's filter is read with the row the run starts from, so a row changed since the check is not run on.
  const row = await waitOutTransient(() => driver.findOne(entity, attempt.rowCheck.where(id)), transientRetry);
  if (!row) throw await attempt.rowCheck.refusal(id);
  return row;
}
