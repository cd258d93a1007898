import type { WorkflowDefinition } from "../definition/define-workflow.ts";
import type { Driver } from "../definition/driver.ts";
import type { DurableRunJournal, JournaledRun } from "../journal/durable-run-journal.ts";
import { serializeError, WorkflowDefinitionChangedError, type SerializedError } from "../errors.ts";
import type { WorkflowOutcome } from "../execution/execute-workflow.ts";
import { consoleLogger, type Logger } from "../logger.ts";
import type { RunEvent } from "../journal/run-events.ts";
import { assertSameSteps, resumeWorkflow } from "../recovery/resume-workflow.ts";
import { refused, type RunControlResult } from "./run-control-result.ts";
import type { ServiceMap, ServiceRegistry } from "../definition/services.ts";

export interface ReopenRunOptions {
  store: DurableRunJournal;
  driver: Driver;
  /** The workflows this instance can execute, by name: the run's must be among them, with the same steps. */
  workflows: readonly WorkflowDefinition<never, unknown>[];
  /** Services for `ctx.resolve(name)`. @default none */
  services?: ServiceRegistry | ServiceMap;
  /** @default JSON lines on stderr */
  logger?: Logger;
  /** Who asks, journaled with the reopening. @default "anonymous" */
  by?: string;
  /** Why (e.g. "the refund API is back"), journaled with the reopening. @default null */
  reason?: string | null;
  /** How long to wait for the reopened run to end before answering, in ms. @default 0 */
  waitMs?: number;
}

/** A reopened run goes on in this process; `finished` settles when it ended (or stopped) here. */
export type ReopenResult = RunControlResult & { finished?: Promise<WorkflowOutcome<unknown>> };

type Reopening = Extract<RunEvent, { type: "run-reopened" }>;

/**
 * A person's retry of a FAILED run whose compensation failed (a refund API was down, say), once the cause is
 * fixed: the failed compensations run again, from where they stopped, each with its `compensationRetry` policy
 * afresh; compensations that completed are not run again. The run then ends COMPENSATED (CANCELLED for a
 * cancelled run), or FAILED again if a compensation still fails. Journaled (`run-reopened`) with who and why.
 */
export async function retryRun(runId: string, options: ReopenRunOptions): Promise<ReopenResult> {
  const journaled = await options.store.getJournaledRun(runId);
  if (!journaled) return refused("RUN_NOT_FOUND", `No run ${runId}`, null);
  const { run } = journaled;
  const hasFailedCompensation = run.steps.some((step) => step.status === "COMPENSATION_FAILED");
  if (run.status !== "FAILED" || journaled.parkedAt !== null || !hasFailedCompensation) {
    return refused(
      "RUN_NOT_RETRYABLE",
      `Run ${runId} is ${run.status}${journaled.parkedAt ? " and parked (resume it)" : ""}, without a failed compensation to retry`,
      run,
    );
  }
  return reopen(journaled, { ...reopening(runId, options, "retry"), status: "COMPENSATING" }, options);
}

/**
 * A person's resumption of a parked run — one recovery gave up on (RECOVERY_EXHAUSTED), or could not resume
 * because its workflow was unknown or had other steps here (WORKFLOW_UNKNOWN, WORKFLOW_DEFINITION_CHANGED) — or of
 * a run stuck past its pivot (FORWARD_RECOVERY_EXHAUSTED), once a fix is deployed: it goes on from where its
 * journal stands, forward or compensating as it was, and its takeover count starts again from 0.
 */
export async function resumeRun(runId: string, options: ReopenRunOptions): Promise<ReopenResult> {
  const journaled = await options.store.getJournaledRun(runId);
  if (!journaled) return refused("RUN_NOT_FOUND", `No run ${runId}`, null);
  const { run } = journaled;
  const stuck = run.error?.code === "FORWARD_RECOVERY_EXHAUSTED";
  if (run.status !== "FAILED" || (journaled.parkedAt === null && !stuck)) {
    return refused("RUN_NOT_PARKED", `Run ${runId} is ${run.status} and not parked: there is nothing to resume`, run);
  }
  const compensating = stuck ? undefined : await compensatingEvent(options.store, runId);
  const event: Reopening = {
    ...reopening(runId, options, "resume"),
    status: compensating ? "COMPENSATING" : "RUNNING",
  };
  if (compensating) event.error = compensating.error;
  return reopen(journaled, event, options);
}

function reopening(runId: string, options: ReopenRunOptions, action: Reopening["action"]): Omit<Reopening, "status"> {
  return {
    type: "run-reopened",
    runId,
    action,
    by: options.by ?? "anonymous",
    reason: options.reason ?? null,
    at: new Date(),
  };
}

async function reopen(journaled: JournaledRun, event: Reopening, options: ReopenRunOptions): Promise<ReopenResult> {
  const { store } = options;
  const definition = options.workflows.find((workflow) => workflow.name === journaled.run.workflow);
  if (!definition)
    return refused("WORKFLOW_UNKNOWN", `No workflow "${journaled.run.workflow}" here to run it with`, journaled.run);
  const changed = definitionChange(journaled, definition);
  if (changed) return refused("WORKFLOW_DEFINITION_CHANGED", changed.message, journaled.run);
  if (!(await store.reopenRun(event, store.owner, journaled.lastSeq))) {
    return refused(
      "RUN_CHANGED",
      `Run ${journaled.run.id} changed meanwhile (someone else retried or resumed it)`,
      await store.getRun(journaled.run.id),
    );
  }
  const logger = options.logger ?? consoleLogger;
  const reopened = (await store.getJournaledRun(journaled.run.id))!;
  const [first] = await store.listEvents({ runId: reopened.run.id, take: 1 });
  const started = first?.event.type === "run-started" ? first.event : undefined;
  const finished = resumeWorkflow(options.driver, definition, reopened, {
    store,
    started,
    services: options.services,
    logger,
  });
  // Nothing waits for it when the caller does not: a failure is logged, and recovery takes the run up.
  finished.catch((error: unknown) =>
    logger.error({ runId: reopened.run.id, err: serializeError(error) }, "a reopened run stopped before its end"),
  );
  if (options.waitMs)
    await Promise.race([
      finished.catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, options.waitMs).unref()),
    ]);
  return { changed: true, run: (await store.getRun(reopened.run.id))!, finished };
}

function definitionChange(
  journaled: JournaledRun,
  definition: WorkflowDefinition<never, unknown>,
): WorkflowDefinitionChangedError | undefined {
  try {
    assertSameSteps(journaled, definition);
    return undefined;
  } catch (error) {
    if (error instanceof WorkflowDefinitionChangedError) return error;
    throw error;
  }
}

/** The run's last `run-compensating` event: a parked run that was compensating goes on compensating, with its error. */
async function compensatingEvent(
  store: DurableRunJournal,
  runId: string,
): Promise<{ error: SerializedError } | undefined> {
  let found: { error: SerializedError } | undefined;
  for (let afterSeq = 0; ;) {
    const page = await store.listEvents({ runId, afterSeq, take: 1000 });
    for (const { event } of page) {
      if (event.type === "run-compensating") found = { error: event.error };
      if (event.type === "run-reopened" && event.status === "RUNNING") found = undefined;
    }
    if (page.length < 1000) return found;
    afterSeq = page[page.length - 1]!.seq;
  }
}
