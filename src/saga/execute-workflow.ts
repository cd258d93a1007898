import { RunContext, type DataMap } from "./context.ts";
import { compensateCompleted, type FailedCompensation } from "./compensate.ts";
import type { WorkflowDefinition } from "./define-workflow.ts";
import type { Driver } from "./driver.ts";
import { errorMessage, serializeError, TransactionCommitError, type SerializedError } from "./errors.ts";
import { consoleLogger, type Logger } from "./logger.ts";
import type { RunStore } from "./run-store.ts";
import { newRunState, type RunState, type StepFailure } from "./run-state.ts";
import { localRunId, randomRunId } from "./run-id.ts";
import { runSteps } from "./run-steps.ts";
import type { ServiceMap, ServiceRegistry } from "./services.ts";
import type { AnyStepContext, Step } from "./step.ts";

export interface ExecuteOptions {
  /** What steps read as `ctx.input`. @default undefined */
  input?: unknown;
  /** What steps read as `ctx.resource`. @default undefined */
  resource?: unknown;
  resourceId?: string;
  /** Shared data on top of the workflow's `initialData`. @default {} */
  data?: DataMap;
  /** Services for `ctx.resolve(name)`. @default none */
  services?: ServiceRegistry | ServiceMap;
  /**
   * @default a random UUID when the run is journaled (`store`); otherwise a UUID-shaped id that is unique
   * but not random (see `localRunId`), because no journal can be queried with it.
   */
  runId?: string;
  /** Journal of the run's transitions. @default none: the run leaves no record */
  store?: RunStore;
  /** Where failed compensations and retries are reported. @default JSON lines on stderr */
  logger?: Logger;
  /** Recorded with the run, so a duplicate request can find it. */
  idempotencyKey?: string;
}

export interface WorkflowSuccess<Out> {
  ok: true;
  status: "COMPLETED";
  runId: string;
  /** The last step's return value. */
  result: Out;
  data: DataMap;
}

/** The seed's failure shape (`error`, `code`, `failedStep`, `compensatedSteps`) plus what a caller needs to act. */
export interface WorkflowFailure {
  ok: false;
  /** COMPENSATED when every compensation succeeded; FAILED when one did not and a person must look. */
  status: "COMPENSATED" | "FAILED";
  runId: string;
  error: string;
  code: "ACTION_ERROR";
  /** Null when the run failed outside any step (its transaction could not commit). */
  failedStep: string | null;
  compensatedSteps: string[];
  failedCompensations: FailedCompensation[];
  /** Completed steps without a compensation: their effects remain. */
  uncompensatedSteps: string[];
  /** True when the workflow transaction was rolled back. */
  rolledBack: boolean;
  /** How many attempts the failed step made. */
  attempts: number;
  cause: SerializedError;
  data: DataMap;
}

export type WorkflowOutcome<Out> = WorkflowSuccess<Out> | WorkflowFailure;

type AnyWorkflow = WorkflowDefinition<never, unknown>;

/** Runs a workflow to its end: every step completed, or the completed ones compensated. Never throws for a step's failure. */
export function executeWorkflow<Out>(
  driver: Driver,
  definition: WorkflowDefinition<never, Out>,
  options: ExecuteOptions = {},
): Promise<WorkflowOutcome<Out>> {
  try {
    const run = startState(driver, definition, options);
    // The common case (no journal, no transaction) runs and settles in runSteps' own async frame: a second
    // frame awaiting it would cost a promise and a microtask per run, a measurable share of the overhead.
    if (options.store === undefined && definition.options.useTransaction !== true) {
      return runSteps(run, settle) as Promise<WorkflowOutcome<Out>>;
    }
    return executeInPhases<Out>(run, definition, options.store);
  } catch (error) {
    return Promise.reject(error);
  }
}

async function executeInPhases<Out>(run: RunState, definition: AnyWorkflow, store: RunStore | undefined): Promise<WorkflowOutcome<Out>> {
  if (store !== undefined) await recordStart(store, run, definition);
  const failure = definition.options.useTransaction ? await runInTransaction(run, definition) : await runSteps(run, passFailure);
  return failure ? finishFailed(run, failure) : finishCompleted<Out>(run);
}

function settle(run: RunState, failure: StepFailure | undefined): WorkflowOutcome<unknown> | Promise<WorkflowOutcome<unknown>> {
  return failure ? finishFailed(run, failure) : completed(run);
}

function passFailure(_run: RunState, failure: StepFailure | undefined): StepFailure | undefined {
  return failure;
}

function recordStart(store: RunStore, run: RunState, definition: AnyWorkflow): Promise<void> {
  const { ctx } = run;
  return store.record({
    type: "run-started",
    runId: ctx.runId,
    workflow: definition.name,
    steps: definition.steps.map((s) => s.name),
    input: ctx.input,
    data: ctx.data,
    resourceId: ctx.resourceId,
    transactional: definition.options.useTransaction === true,
    idempotencyKey: run.idempotencyKey,
    at: new Date(),
  });
}

function startState(driver: Driver, definition: AnyWorkflow, options: ExecuteOptions): RunState {
  const { store, data } = options;
  const runId = options.runId ?? (store === undefined ? localRunId() : randomRunId());
  const initial = data === undefined && isEmpty(definition.initialData) ? {} : { ...definition.initialData, ...data };
  const ctx = new RunContext(runId, definition.name, driver, options.input, options.resource, options.resourceId, initial, options.services);
  const steps = definition.steps as readonly Step<AnyStepContext, unknown>[];
  return newRunState(ctx, steps, store, options.logger ?? consoleLogger, options.idempotencyKey);
}

/** Most workflows have no initial data; a literal `{}` is cheaper than spreading two empty sources. */
function isEmpty(data: Readonly<DataMap>): boolean {
  for (const _ in data) return false;
  return true;
}

class Rollback {
  constructor(readonly failure: StepFailure) {}
}

/**
 * All steps share one transaction. A step failure throws to roll it back; any other error out of the
 * transaction means it could not commit. Either way its DB writes are gone, while the completed steps'
 * external effects are not, so the caller still compensates those.
 */
async function runInTransaction(run: RunState, definition: AnyWorkflow): Promise<StepFailure | undefined> {
  const transactionOptions = { timeout: 30_000, maxWait: 10_000, ...definition.options.transaction };
  try {
    await run.baseDriver.transaction(async (tx) => {
      run.ctx.driver = tx;
      const failure = await runSteps(run, passFailure);
      if (failure) throw new Rollback(failure);
    }, transactionOptions);
    return undefined;
  } catch (error) {
    const failure = run.failure ?? commitFailure(run, error);
    failure.rolledBack = true;
    return failure;
  } finally {
    run.ctx.driver = run.baseDriver;
  }
}

function commitFailure(run: RunState, error: unknown): StepFailure {
  return { index: run.results.length, stepName: null, error: new TransactionCommitError(error), attempts: 1, rolledBack: true };
}

async function finishCompleted<Out>(run: RunState): Promise<WorkflowSuccess<Out>> {
  const { ctx, results } = run;
  await run.store?.record({ type: "run-finished", runId: ctx.runId, status: "COMPLETED", result: results[results.length - 1], at: new Date() });
  return completed<Out>(run);
}

function completed<Out>(run: RunState): WorkflowSuccess<Out> {
  const { ctx, results } = run;
  // A plain object on purpose: resolving a promise with a class instance costs a lookup of a `then` method
  // (measured at a quarter of a step); with a plain object V8 skips it.
  return { ok: true, status: "COMPLETED", runId: ctx.runId, result: results[results.length - 1] as Out, data: ctx.data };
}

async function finishFailed(run: RunState, failure: StepFailure): Promise<WorkflowFailure> {
  const { ctx, store } = run;
  const cause = serializeError(failure.error);
  await store?.record({ type: "run-compensating", runId: ctx.runId, failedStep: failure.stepName, error: cause, rolledBack: failure.rolledBack, at: new Date() });
  const report = await compensateCompleted(run, failure.rolledBack);
  const status = report.failed.length > 0 ? "FAILED" : "COMPENSATED";
  await store?.record({ type: "run-finished", runId: ctx.runId, status, error: cause, at: new Date() });
  return {
    ok: false,
    status,
    runId: ctx.runId,
    error: errorMessage(failure.error),
    code: "ACTION_ERROR",
    failedStep: failure.stepName,
    compensatedSteps: report.compensated,
    failedCompensations: report.failed,
    uncompensatedSteps: report.uncompensated,
    rolledBack: failure.rolledBack,
    attempts: failure.attempts,
    cause,
    data: ctx.data,
  };
}
