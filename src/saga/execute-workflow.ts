import { randomUUID } from "node:crypto";
import type { DataMap } from "./context.ts";
import { compensateCompleted, type FailedCompensation } from "./compensate.ts";
import type { WorkflowDefinition } from "./define-workflow.ts";
import type { Driver } from "./driver.ts";
import { errorMessage, serializeError, TransactionCommitError, type SerializedError } from "./errors.ts";
import { consoleLogger, type Logger } from "./logger.ts";
import type { RunStore } from "./run-store.ts";
import { newRunState, type RunState, type StepFailure } from "./run-state.ts";
import { runSteps } from "./run-steps.ts";
import { ServiceRegistry, type ServiceMap } from "./services.ts";
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
  /** @default a random UUID */
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
export async function executeWorkflow<Out>(
  driver: Driver,
  definition: WorkflowDefinition<never, Out>,
  options: ExecuteOptions = {},
): Promise<WorkflowOutcome<Out>> {
  const run = startState(driver, definition, options);
  await options.store?.record({
    type: "run-started",
    runId: run.ctx.runId,
    workflow: definition.name,
    steps: definition.steps.map((s) => s.name),
    input: options.input,
    data: run.ctx.data,
    resourceId: options.resourceId,
    transactional: definition.options.useTransaction === true,
    idempotencyKey: options.idempotencyKey,
    at: new Date(),
  });
  const failure = definition.options.useTransaction ? await runInTransaction(run, definition) : await runSteps(run);
  return failure ? finishFailed(run, failure) : finishCompleted<Out>(run);
}

function startState(driver: Driver, definition: AnyWorkflow, options: ExecuteOptions): RunState {
  return newRunState({
    runId: options.runId ?? randomUUID(),
    workflow: definition.name,
    driver,
    input: options.input,
    resource: options.resource,
    resourceId: options.resourceId,
    data: { ...definition.initialData, ...options.data },
    services: ServiceRegistry.from(options.services),
    steps: definition.steps as readonly Step<AnyStepContext, unknown>[],
    store: options.store,
    logger: options.logger ?? consoleLogger,
  });
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
      const failure = await runSteps(run);
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
  const result = results[results.length - 1] as Out;
  await run.store?.record({ type: "run-finished", runId: ctx.runId, status: "COMPLETED", result, at: new Date() });
  return { ok: true, status: "COMPLETED", runId: ctx.runId, result, data: ctx.data };
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
