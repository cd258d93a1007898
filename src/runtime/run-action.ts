import type { ActionDefinition, RequestContext } from "../entity/define-action.ts";
import type { EntityDefinition } from "../entity/define-entity.ts";
import type { FieldMap } from "../entity/infer.ts";
import type { Driver, Row } from "../saga/driver.ts";
import { executeWorkflow, type WorkflowFailure, type WorkflowOutcome } from "../saga/execute-workflow.ts";
import type { Logger } from "../saga/logger.ts";
import type { RunStore } from "../saga/run-store.ts";
import type { ServiceRegistry } from "../saga/services.ts";
import { failureError, ForbiddenError, NotFoundError, ValidationError } from "./action-errors.ts";
import { ResourceHeldError, RunFinishedError, RunLeaseLostError } from "../saga/errors.ts";
import {
  checkSameRequest,
  DEFAULT_IDEMPOTENCY_WAIT_MS,
  keyedStore,
  runIdempotently,
  waitForEnd,
  type IdempotentOutcome,
  type IdempotentRequest,
  type KeyedRunStore,
} from "./idempotent-action.ts";
import { outcomeOfFinishedRun } from "./idempotent-replay.ts";
import { waitOutTransient } from "../saga/wait-out-transient.ts";
import { isInfrastructureError } from "./public-error.ts";
import { resourceKey } from "./resource-key.ts";
import { DEFAULT_RESOURCE_WAIT_MS, waitForResource } from "./wait-for-resource.ts";
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
   * `IdempotencyConflictError`. Needs a run store that finds runs by key (the SQL stores and `InMemoryRunStore` do).
   */
  idempotencyKey?: string;
  request?: RequestContext;
}

/** What `startAction` answers: the run is durably started (or was, under the same key) and goes on by itself. */
export interface ActionStarted {
  runId: string;
  /** True when an earlier request with the same idempotency key started the run. */
  replayed: boolean;
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
 * Runs one entity action as a saga: checks the input (and idempotency key), asks the authorization rule, waits
 * until no other run holds the row, loads it, then executes the workflow with the run journaled — or, under a key
 * that already has a run, replays that run's outcome. Expected failures are thrown as `ActionError`s, a replayed
 * failure as the same one.
 */
export async function runAction(runtime: ActionRuntime, entity: AnyEntity, actionName: string, request: RunActionRequest): Promise<ActionSuccess> {
  const attempt = await prepareAttempt(entity, actionName, request, runtime);
  const { outcome, replayed } = await runWaitingForResource(runtime, attempt);
  if (!outcome.ok) throw reportedFailure(runtime, outcome, replayed);
  // The run's effects stand whatever becomes of this read: a fault it can wait out must not turn them into an error.
  const transientRetry = attempt.definition.workflow.options.transientRetry;
  const after = attempt.id === undefined ? null : await waitOutTransient(() => runtime.driver.findOne(entity.name, { id: attempt.id }), transientRetry);
  return { runId: outcome.runId, result: outcome.result, resource: after, replayed };
}

/**
 * Starts an action's run and answers as soon as its start is durable; the run goes on in this process (and after a
 * crash, through recovery), its outcome read from the journal. The same checks run first, and fail the same way;
 * a key whose run exists answers that run, whatever its state.
 */
export async function startAction(runtime: ActionRuntime, entity: AnyEntity, actionName: string, request: RunActionRequest): Promise<ActionStarted> {
  const attempt = await prepareAttempt(entity, actionName, request, runtime);
  if (attempt.store !== undefined) {
    const { store, definition, idempotencyKey } = attempt;
    const earlier = await waitOutTransient(() => store.findRunByIdempotencyKey(definition.workflow.name, idempotencyKey!), definition.workflow.options.transientRetry);
    if (earlier) return { runId: checkSameRequest(earlier, requestOf(runtime, attempt)).id, replayed: true };
  }
  let started!: (runId: string) => void;
  const onStart = new Promise<string>((resolve) => (started = resolve));
  const running = runWaitingForResource(runtime, { ...attempt, onStarted: started });
  // Settles either way, so a run failing after its start is never an unhandled rejection; its outcome is in the journal.
  const ended = running.then(
    ({ outcome, replayed }) => {
      if (!outcome.ok) reportedFailure(runtime, outcome, replayed);
      return { outcome, replayed };
    },
    (error: unknown) => ({ error }),
  );
  const first = await Promise.race([onStart.then((runId) => ({ runId })), ended]);
  if ("runId" in first) return { runId: first.runId, replayed: false };
  if ("error" in first) throw first.error;
  return { runId: first.outcome.runId, replayed: first.replayed };
}

/** Validation, the key's shape, the authorization rule and the id: everything that needs no run. */
async function prepareAttempt(entity: AnyEntity, actionName: string, request: RunActionRequest, runtime: ActionRuntime): Promise<Attempt> {
  const definition = entity.actionDefinitions[actionName];
  if (!definition) throw new Error(`Entity "${entity.name}" has no action "${actionName}"`);
  const input = validateInput(definition.inputFields, request.input);
  const store = keyedStore(request.idempotencyKey, runtime.store);
  await authorize(definition, input, request);
  const id = definition.hasResource ? requireId(request.id) : undefined;
  return { entity, definition, input, id, store, idempotencyKey: request.idempotencyKey };
}

function runWaitingForResource(runtime: ActionRuntime, attempt: Attempt): Promise<IdempotentOutcome> {
  const once = () => runOnce(runtime, attempt);
  if (attempt.id === undefined) return once();
  return waitForResource({ entity: attempt.entity.name, id: attempt.id, waitMs: runtime.resourceWaitMs ?? DEFAULT_RESOURCE_WAIT_MS }, once);
}

function requestOf(runtime: ActionRuntime, attempt: Attempt): IdempotentRequest {
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
  store: KeyedRunStore | undefined;
  idempotencyKey: string | undefined;
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
  const executeOrFollow = () => followIfTakenOver(runtime, execute, attempt.idempotencyKey ?? null, definition.workflow.options.transientRetry);
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
    const finished = await waitForEnd(runtime.store, runId, runtime.idempotencyWaitMs ?? DEFAULT_IDEMPOTENCY_WAIT_MS, key, transientRetry);
    return outcomeOfFinishedRun(finished);
  }
}

/** The run a journal refused this instance's write for, because another instance owns or ended it. */
function takenOverRun(error: unknown): string | undefined {
  for (let depth = 0; depth < 5 && error instanceof Error; depth++, error = error.cause) {
    if (error instanceof RunLeaseLostError || error instanceof RunFinishedError) return error.runId;
  }
  return undefined;
}

/** A failure the infrastructure caused is logged with its detail here, since its client gets only a plain message. */
function reportedFailure(runtime: ActionRuntime, failure: WorkflowFailure, replayed: boolean): Error {
  if (!replayed && isInfrastructureError(failure.cause)) {
    runtime.logger.error({ runId: failure.runId, step: failure.failedStep, status: failure.status, err: failure.cause }, "an action's run failed on an infrastructure error");
  }
  return failureError(failure);
}

async function authorize(definition: ActionDefinition<unknown, never, unknown, boolean>, input: unknown, request: RunActionRequest): Promise<void> {
  if (!definition.authorize) return;
  const verdict = await definition.authorize({ request: request.request ?? {}, input: input as never, resourceId: request.id });
  if (verdict === true) return;
  throw new ForbiddenError(typeof verdict === "string" && verdict !== "" ? verdict : "Not allowed to run this action");
}

function requireId(id: string | undefined): string {
  if (id === undefined || id === "") throw new ValidationError("id is required", [{ field: "id", message: "is required" }]);
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
  const row = await waitOutTransient(() => driver.findOne(entity, { id }), transientRetry);
  if (!row) throw new NotFoundError(entity, id);
  return row;
}
