import type { Driver } from "../engine/definition/driver.ts";
import type { RunJournal } from "../engine/journal/run-journal.ts";
import { waitOutTransient } from "../engine/execution/wait-out-transient.ts";
import type { TransientRetryOptions } from "../engine/execution/wait-policy.ts";
import type { ActionRowCheck } from "./action-access.ts";
import { IdempotencyConflictError } from "./action-errors.ts";

interface ConflictContext {
  driver: Driver;
  store: RunJournal;
  entityName: string;
  rowCheck: ActionRowCheck;
  transientRetry?: TransientRetryOptions;
}

/** What `concealingConflicts` needs, from the runtime and the prepared attempt. */
export function conflictContext(
  runtime: { driver: Driver; store: RunJournal },
  attempt: {
    entity: { name: string };
    rowCheck: ActionRowCheck;
    definition: { workflow: { options: { transientRetry?: TransientRetryOptions } } };
  },
): ConflictContext {
  return {
    driver: runtime.driver,
    store: runtime.store,
    entityName: attempt.entity.name,
    rowCheck: attempt.rowCheck,
    transientRetry: attempt.definition.workflow.options.transientRetry,
  };
}

/**
 * Runs `work`; an idempotency conflict with a run on a row this caller may not run the action on loses the run's
 * id, so a key another caller used names nothing of theirs.
 */
export async function concealingConflicts<T>(context: ConflictContext, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof IdempotencyConflictError) || error.mismatch !== "resource" || error.runId === null)
      throw error;
    if (await mayRunOn(context, error.runId)) throw error;
    throw new IdempotencyConflictError(null, error.idempotencyKey, error.mismatch);
  }
}

async function mayRunOn(context: ConflictContext, runId: string): Promise<boolean> {
  const run = await waitOutTransient(() => context.store.getRun(runId), context.transientRetry);
  if (!run || run.resourceId === null) return false;
  const resourceId = run.resourceId;
  return (
    (await waitOutTransient(
      () => context.driver.findOne(context.entityName, context.rowCheck.where(resourceId)),
      context.transientRetry,
    )) !== null
  );
}
