import { COMMIT_CHECKPOINT_KEY, type CheckpointOutput } from "../execution/checkpoint-keys.ts";
import { RunContext, replaceData } from "../definition/context.ts";
import type { WorkflowDefinition } from "../definition/define-workflow.ts";
import type { Driver } from "../definition/driver.ts";
import type { DurableRunJournal, JournaledRun } from "../journal/durable-run-journal.ts";
import { reviveError, RunInterruptedError, serializeError, WorkflowDefinitionChangedError } from "../errors.ts";
import type { WorkflowOutcome } from "../execution/execute-workflow.ts";
import { canBeInDoubt } from "../execution/in-doubt-step.ts";
import { JournalWriter } from "../journal/journal-writer.ts";
import { consoleLogger, type Logger } from "../logger.ts";
import type { RunEvent } from "../journal/run-events.ts";
import { isPivot, pivotCompleted } from "../definition/pivot.ts";
import { finishCompleted, finishFailed, isCancel, proceed } from "../execution/run-phases.ts";
import { whileOwned } from "./while-owned.ts";
import type { StepSnapshot } from "../journal/run-snapshot.ts";
import {
  newReplayLog,
  newRunState,
  type ResumePoint,
  type RunState,
  type StepFailure,
} from "../execution/run-state.ts";
import type { ServiceMap, ServiceRegistry } from "../definition/services.ts";
import type { AnyStepContext, Step } from "../definition/step.ts";

export interface ResumeOptions {
  /** The journal the run is in; this instance (`store.owner`) must hold the run's lease. */
  store: DurableRunJournal;
  /** The run's `run-started` event, for the resource the run was started on. @default the resource is undefined */
  started?: Extract<RunEvent, { type: "run-started" }>;
  /** Services for `ctx.resolve(name)`. @default none */
  services?: ServiceRegistry | ServiceMap;
  /** @default JSON lines on stderr */
  logger?: Logger;
}

type AnyWorkflow = WorkflowDefinition<never, unknown>;

/** A step the run had got past: its result is in the journal. */
const DONE: ReadonlySet<string> = new Set(["COMPLETED", "COMPENSATING", "COMPENSATED", "COMPENSATION_FAILED"]);

/**
 * Takes an interrupted run up where its journal left it. A non-transactional run goes on from its first
 * unfinished step (its database steps' checkpoints tell which of them committed). A transactional run either
 * committed (its commit checkpoint says so: it ends COMPLETED) or was rolled back by the crash: its completed
 * external steps are compensated and it ends COMPENSATED — unless its workflow has forward recovery and it got past
 * (or into) its pivot: then its transaction is tried again, forward. A run that was compensating goes on compensating.
 */
export async function resumeWorkflow<Out>(
  driver: Driver,
  definition: WorkflowDefinition<never, Out>,
  journaled: JournaledRun,
  options: ResumeOptions,
): Promise<WorkflowOutcome<Out>> {
  const run = resumedState(driver, definition, journaled, options);
  return whileOwned(run, () => continueRun<Out>(run, definition, journaled, options.started));
}

async function continueRun<Out>(
  run: RunState,
  definition: AnyWorkflow,
  journaled: JournaledRun,
  started: StartedEvent | undefined,
): Promise<WorkflowOutcome<Out>> {
  const snapshot = journaled.run;
  const failed = snapshot.steps.find((s) => s.status === "FAILED");
  if (snapshot.status === "COMPENSATING") return compensate<Out>(run, snapshot, failed);
  if (snapshot.transactional) {
    const committed = await run.baseDriver.readStepCheckpoint(run.ctx.runId, COMMIT_CHECKPOINT_KEY);
    if (committed) return finishCommitted<Out>(run, snapshot.steps, committed.output as CheckpointOutput);
    if (goesForward(run, snapshot.steps)) return replayForward<Out>(run, definition, snapshot, started);
  } else if (failed && goesForward(run, snapshot.steps)) {
    run.retryFrom = { index: failed.index, attempt: failed.attempts + 1 };
    return proceed<Out>(run, definition);
  }
  // A failed transactional run always rolled back: the failure ended its transaction.
  if (failed) return compensate<Out>(run, snapshot, failed);
  if (!snapshot.transactional) return proceed<Out>(run, definition);
  return finishFailed(run, interruptedTransaction(run, snapshot.steps)) as Promise<WorkflowOutcome<Out>>;
}

type StartedEvent = Extract<RunEvent, { type: "run-started" }>;

/**
 * Goes on compensating. A run that stopped while it settled the step it was in doubt about (the journal shows the
 * step it failed on still running) settles it again first.
 */
function compensate<Out>(
  run: RunState,
  snapshot: JournaledRun["run"],
  failed: StepSnapshot | undefined,
): Promise<WorkflowOutcome<Out>> {
  const index = failed?.index ?? run.results.length;
  const failure: StepFailure = {
    index,
    stepName: snapshot.failedStep ?? failed?.name ?? null,
    error: reviveError(snapshot.error ?? failed?.error),
    attempts: failed?.attempts ?? 0,
    rolledBack: snapshot.rolledBack || snapshot.transactional,
  };
  const running = failed ? undefined : snapshot.steps[index];
  const step = run.steps[index];
  if (running?.status === "RUNNING" && step && running.name === snapshot.failedStep && canBeInDoubt(step))
    Object.assign(failure, { attempts: running.attempts, inDoubt: true });
  return finishFailed(run, failure) as Promise<WorkflowOutcome<Out>>;
}

/**
 * Whether a run of a workflow with forward recovery got past its pivot — or was interrupted inside one, which may
 * have taken effect — so that it must be driven forward, not compensated.
 */
function goesForward(run: RunState, steps: readonly StepSnapshot[]): boolean {
  if (!run.options.forwardRecovery) return false;
  const transactional = run.options.useTransaction === true;
  if (pivotCompleted(run.steps, run.results.length, transactional)) return true;
  const next = run.steps[run.results.length];
  return transactional && next !== undefined && steps[run.results.length]?.status === "RUNNING" && isPivot(next, true);
}

/**
 * A transactional run past its pivot whose transaction did not commit: its transaction is tried again from the
 * first step, the journaled external steps' results reused (an in-doubt one runs again under its key).
 */
async function replayForward<Out>(
  run: RunState,
  definition: AnyWorkflow,
  snapshot: JournaledRun["run"],
  started: StartedEvent | undefined,
): Promise<WorkflowOutcome<Out>> {
  const initialData = { ...(started?.data ?? snapshot.data) };
  const results = run.results.slice();
  // The journal keeps the shared data as the furthest try left it: each reused step gets that.
  const dataAfter = results.map(() => ({ ...snapshot.data }));
  run.replayLog = newReplayLog(initialData, {
    results,
    dataAfter,
    wroteInTransaction: await stepsThatWrote(run.store as DurableRunJournal, run.ctx.runId),
  });
  run.results.length = 0;
  replaceData(run.ctx.data, initialData);
  return proceed<Out>(run, definition);
}

/** The external steps whose completion the journal records as having written through the run's transaction. */
async function stepsThatWrote(store: DurableRunJournal, runId: string): Promise<Set<number>> {
  const wrote = new Set<number>();
  for (let afterSeq = 0; ;) {
    const page = await store.listEvents({ runId, afterSeq, take: 1000 });
    for (const { event } of page)
      if (event.type === "step-completed" && event.wroteInTransaction === true) wrote.add(event.index);
    if (page.length < 1000) return wrote;
    afterSeq = page[page.length - 1]!.seq;
  }
}

function resumedState(
  driver: Driver,
  definition: AnyWorkflow,
  journaled: JournaledRun,
  options: ResumeOptions,
): RunState {
  const snapshot = journaled.run;
  assertSameSteps(journaled, definition);
  const ctx = new RunContext(
    snapshot.id,
    definition.name,
    driver,
    snapshot.input,
    options.started?.resource,
    snapshot.resourceId ?? undefined,
    { ...snapshot.data },
    options.services,
  );
  const journal = new JournalWriter(options.store, snapshot.id, true);
  const steps = definition.steps as readonly Step<AnyStepContext, unknown>[];
  const run = newRunState(
    ctx,
    steps,
    definition.options,
    journal,
    !snapshot.transactional,
    options.logger ?? consoleLogger,
    snapshot.idempotencyKey ?? undefined,
  );
  run.results.push(...completedResults(snapshot, steps));
  run.resume = resumePoint(journaled, run.results.length);
  // A cancel journaled while no one executed the run (its owner crashed or shut down) is honoured now.
  if (snapshot.cancelRequest)
    run.journaledCancel = { by: snapshot.cancelRequest.by, reason: snapshot.cancelRequest.reason };
  return run;
}

/**
 * The results of the steps the run had got past, by position. Outside a transaction steps finish in order, so
 * that is the finished prefix. A transactional run may have tried its transaction again: a later try re-runs the
 * database steps (so the journal can show one running again) but not the external steps after them, which stay
 * completed. Those count too — their effects stand whatever became of the transaction — and a database step
 * between them was rolled back with the transaction.
 */
function completedResults(snapshot: JournaledRun["run"], steps: readonly Step<AnyStepContext, unknown>[]): unknown[] {
  const results: unknown[] = [];
  const last = snapshot.transactional ? lastIndexDone(snapshot.steps) : -1;
  for (const step of snapshot.steps) {
    if (DONE.has(step.status)) results.push(step.result);
    else if (step.index < last && steps[step.index]?.options.effect === "database") results.push(undefined);
    else break;
  }
  return results;
}

function lastIndexDone(steps: readonly StepSnapshot[]): number {
  for (let index = steps.length - 1; index >= 0; index--) if (DONE.has(steps[index]!.status)) return index;
  return -1;
}

function resumePoint(journaled: JournaledRun, stepIndex: number): ResumePoint {
  const steps = journaled.run.steps;
  const compensationFailed = new Map(
    steps
      .filter((s) => s.status === "COMPENSATION_FAILED")
      .map((s) => [s.index, s.compensationError ?? serializeError(new Error("compensation failed"))]),
  );
  return {
    stepIndex,
    nextAttempt: Math.max(1, steps[stepIndex]?.attempts ?? 1),
    running: steps[stepIndex]?.status === "RUNNING",
    compensating: journaled.run.status === "COMPENSATING",
    compensated: new Set(steps.filter((s) => s.status === "COMPENSATED").map((s) => s.index)),
    compensationFailed,
    compensationAttempts: steps.map((s) => s.compensationAttempts),
  };
}

/** Throws WorkflowDefinitionChangedError unless `definition` has the steps the run was journaled with. */
export function assertSameSteps(journaled: JournaledRun, definition: AnyWorkflow): void {
  const journaledSteps = journaled.run.steps.map((s) => s.name);
  const defined = definition.steps.map((s) => s.name);
  if (journaledSteps.join("\u0000") !== defined.join("\u0000")) {
    throw new WorkflowDefinitionChangedError(journaled.run.id, definition.name, journaledSteps, defined);
  }
}

/** The transaction committed before the crash: the journal only missed the events written after it. */
function finishCommitted<Out>(
  run: RunState,
  steps: readonly StepSnapshot[],
  output: CheckpointOutput,
): Promise<WorkflowOutcome<Out>> {
  const { ctx, journal } = run;
  Object.assign(ctx.data, output.data);
  for (let index = run.results.length; index < steps.length; index++) {
    const step = steps[index]!;
    const result = index === steps.length - 1 ? output.result : null;
    journal!.defer({
      type: "step-completed",
      runId: ctx.runId,
      step: step.name,
      index,
      attempts: Math.max(1, step.attempts),
      result,
      data: { ...ctx.data },
      at: new Date(),
    });
    run.results.push(result);
  }
  return finishCompleted<Out>(run);
}

/**
 * A transactional run that crashed before it committed: the database rolled its transaction back. An external step
 * that was running may have taken effect: it is in doubt, settled under its key before the compensations.
 */
function interruptedTransaction(run: RunState, steps: readonly StepSnapshot[]): StepFailure {
  const index = run.results.length;
  const snapshot = steps[index];
  const step = run.steps[index];
  const running = snapshot?.status === "RUNNING" && step !== undefined;
  const stepName = running ? step.name : null;
  const cancel: unknown = run.signals?.steps.reason;
  const error = isCancel(cancel) ? cancel : new RunInterruptedError(stepName);
  const failure: StepFailure = { index, stepName, error, attempts: 0, rolledBack: true };
  if (running && canBeInDoubt(step)) Object.assign(failure, { attempts: snapshot.attempts, inDoubt: true });
  return failure;
}
