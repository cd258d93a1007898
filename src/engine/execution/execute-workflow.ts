import { RunContext, type DataMap } from "../definition/context.ts";
import type { FailedCompensation } from "./compensate.ts";
import { NO_INITIAL_DATA, type WorkflowDefinition } from "../definition/define-workflow.ts";
import type { Driver } from "../definition/driver.ts";
import type { SerializedError } from "../errors.ts";
import { journalShares, JournalWriter } from "../journal/journal-writer.ts";
import { consoleLogger, type Logger } from "../logger.ts";
import type { RunControlRequest, RunEvent } from "../journal/run-events.ts";
import { proceed, settle } from "./run-phases.ts";
import { whileOwned } from "../recovery/while-owned.ts";
import type { RunJournal } from "../journal/run-journal.ts";
import { newReplayLog, newRunState, type RunState } from "./run-state.ts";
import { localRunId, randomRunId } from "./run-id.ts";
import { runSteps, settleFailedStep } from "./run-steps.ts";
import type { ServiceMap, ServiceRegistry } from "../definition/services.ts";
import type { AnyStepContext, Step } from "../definition/step.ts";

export interface ExecuteOptions {
  /** What steps read as `ctx.input`. @default undefined */
  input?: unknown;
  /** What steps read as `ctx.resource`. @default undefined */
  resource?: unknown;
  resourceId?: string;
  /**
   * What the run holds until it ends (e.g. `order:42`): the store refuses to start it while another unfinished
   * run holds the same key (`ResourceHeldError`, before anything ran). @default the run holds nothing
   */
  resourceKey?: string;
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
  store?: RunJournal;
  /** Where failed compensations and retries are reported. @default JSON lines on stderr */
  logger?: Logger;
  /** Recorded with the run, so a duplicate request can find it. */
  idempotencyKey?: string;
  /**
   * Called once the run's start is durable (it needs `store`), before its first step: a caller that must not wait
   * for the outcome can answer then. The start is then written at once, not in a first database step's transaction.
   */
  onStarted?: (runId: string) => void;
}

export interface WorkflowSuccess<Out> {
  ok: true;
  status: "COMPLETED";
  runId: string;
  /** The last step's return value. */
  result: Out;
  data: DataMap;
}

/** The classic saga failure shape (`error`, `code`, `failedStep`, `compensatedSteps`) plus what a caller needs to act. */
export interface WorkflowFailure {
  ok: false;
  /**
   * COMPENSATED when every compensation succeeded; CANCELLED when the run was cancelled and every compensation
   * succeeded; FAILED when one did not and a person must look.
   */
  status: "COMPENSATED" | "FAILED" | "CANCELLED";
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
  /**
   * True when the database stayed unavailable past the workflow's `transientRetry` wait and the run left no
   * effect: nothing ran, and the same request can be sent again later.
   */
  retryable: boolean;
  cause: SerializedError;
  data: DataMap;
  /** Who cancelled the run and why, when it was cancelled (status CANCELLED, or FAILED if undoing it failed). */
  cancelled?: RunControlRequest;
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
    const ctx = startContext(driver, definition, options);
    if (options.store === undefined && definition.options.useTransaction !== true) {
      return runBare(ctx, definition, options) as Promise<WorkflowOutcome<Out>>;
    }
    return executeInPhases<Out>(startState(ctx, definition, options, []), definition, options);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * The engine's hot path: a run with no journal and no workflow transaction whose steps have no retry or timeout
 * is its context, its results and a bare `await` per step, all in this one async frame (a second frame awaiting
 * it would cost a promise and a microtask per run). The run's full state is made only when a step fails or asks
 * for more (a retry or a timeout); the run then goes on as any other, from the step it got to.
 */
async function runBare(
  ctx: RunContext,
  definition: AnyWorkflow,
  options: ExecuteOptions,
): Promise<WorkflowOutcome<unknown>> {
  const steps = definition.steps as readonly Step<AnyStepContext, unknown>[];
  const results: unknown[] = [];
  let index = 0;
  try {
    for (; index < steps.length; index++) {
      const step = steps[index]!;
      if (step.options.retry !== undefined || step.options.timeout !== undefined) break;
      // `ctx.attempt` stays 1 from the start: without a retry policy no step makes a second attempt.
      ctx.stepName = step.name;
      results.push(await step.execute(ctx));
    }
  } catch (caught) {
    return settleFailedStep(startState(ctx, definition, options, results), index, caught, settle);
  }
  if (index < steps.length) return runSteps(startState(ctx, definition, options, results), settle);
  // A plain object on purpose: resolving a promise with a class instance costs a lookup of a `then` method.
  return { ok: true, status: "COMPLETED", runId: ctx.runId, result: results[results.length - 1], data: ctx.data };
}

async function executeInPhases<Out>(
  run: RunState,
  definition: AnyWorkflow,
  options: ExecuteOptions,
): Promise<WorkflowOutcome<Out>> {
  if (run.journal === undefined) return proceed<Out>(run, definition);
  run.journalInTransaction = run.checkpoints && (await journalShares(run.journal.store, run.baseDriver));
  const start = startEvent(run, definition, options);
  // A first database step's transaction can carry the start: until it commits, the run has done nothing. Not a
  // run that holds a resource: its hold must be visible to others from the start.
  const deferrable =
    options.resourceKey === undefined && options.onStarted === undefined && run.steps[0]?.options.effect === "database";
  if (run.journalInTransaction && deferrable) run.journal.defer(start);
  else await run.journal.write(start);
  options.onStarted?.(run.ctx.runId);
  return whileOwned(run, () => proceed<Out>(run, definition));
}

function startEvent(run: RunState, definition: AnyWorkflow, options: ExecuteOptions): RunEvent {
  const { ctx } = run;
  return {
    type: "run-started",
    runId: ctx.runId,
    workflow: definition.name,
    steps: definition.steps.map((s) => s.name),
    input: ctx.input,
    data: ctx.data,
    resourceId: ctx.resourceId,
    resource: options.resource,
    transactional: definition.options.useTransaction === true,
    idempotencyKey: run.idempotencyKey,
    ...(options.resourceKey === undefined ? {} : { resourceKey: options.resourceKey }),
    at: new Date(),
  };
}

function startContext(driver: Driver, definition: AnyWorkflow, options: ExecuteOptions): RunContext {
  const { data } = options;
  const runId = options.runId ?? (options.store === undefined ? localRunId() : randomRunId());
  const initial = data === undefined && hasNoData(definition.initialData) ? {} : { ...definition.initialData, ...data };
  return new RunContext(
    runId,
    definition.name,
    driver,
    options.input,
    options.resource,
    options.resourceId,
    initial,
    options.services,
  );
}

/** The run's full state, once it needs more than the hot path: `results` are the steps it already completed. */
function startState(ctx: RunContext, definition: AnyWorkflow, options: ExecuteOptions, results: unknown[]): RunState {
  const { store } = options;
  const steps = definition.steps as readonly Step<AnyStepContext, unknown>[];
  const journal = store === undefined ? undefined : new JournalWriter(store, ctx.runId);
  const checkpoints = journal !== undefined && definition.options.useTransaction !== true;
  const run = newRunState(
    ctx,
    steps,
    definition.options,
    journal,
    checkpoints,
    options.logger ?? consoleLogger,
    options.idempotencyKey,
  );
  run.results.push(...results);
  if (definition.options.useTransaction === true) run.replayLog = newReplayLog({ ...ctx.data });
  return run;
}

/**
 * Most workflows have no initial data; a literal `{}` is cheaper than spreading two empty sources. A definition
 * built by `defineWorkflow` says so by identity; one built by hand is looked at.
 */
function hasNoData(data: Readonly<DataMap>): boolean {
  if (data === NO_INITIAL_DATA) return true;
  for (const _ in data) return false;
  return true;
}
