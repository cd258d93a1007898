import type { WorkflowDefinition } from "../definition/define-workflow.ts";
import { isTerminalStatus, type DurableRunJournal } from "../journal/durable-run-journal.ts";
import { pivotCompleted } from "../definition/pivot.ts";
import type { RunControlRequest } from "../journal/run-events.ts";
import { refused, waitForRunEnd, type RunControlResult } from "./run-control-result.ts";
import { executingRuns } from "./run-signals.ts";
import type { RunSnapshot } from "../journal/run-snapshot.ts";
import type { AnyStepContext, Step } from "../definition/step.ts";

export interface CancelRunOptions {
  /** Who cancels, journaled with the request. @default "anonymous" */
  by?: string;
  /** Why, journaled with the request and shown to the action's caller. @default null */
  reason?: string | null;
  /**
   * The workflows the run may be of, to refuse a run past its pivot (`RUN_PAST_PIVOT`) before anything is
   * journaled. Without them the owner still declines such a cancel when it hears it. @default none
   */
  workflows?: readonly WorkflowDefinition<never, unknown>[];
  /** How long to wait for the run to end, in ms; 0 returns as soon as the cancel is journaled. @default 0 */
  waitMs?: number;
}

/**
 * Asks for a run to be cancelled, from any instance: the request is journaled, and the run's owner — this process
 * or another one on the same journal — hears it, aborts the step under way (its `ctx.signal` fires with a
 * RunCancelledError), compensates the completed steps in reverse order and ends the run CANCELLED (FAILED if a
 * compensation fails). An external step the cancel cut off mid-call is first run once more under its idempotency
 * key and compensated too (`settleInDoubtStep`): what the other end did before its answer was lost is undone. A run that already ended, is already compensating, or got past its pivot is left as it is,
 * and the result says why (`changed: false`). A run that ends on its own before its owner hears the cancel wins.
 */
export async function cancelRun(
  store: DurableRunJournal,
  runId: string,
  options: CancelRunOptions = {},
): Promise<RunControlResult> {
  const request: RunControlRequest = { by: options.by ?? "anonymous", reason: options.reason ?? null };
  const journaled = await store.getJournaledRun(runId);
  const refusal = journaled
    ? cannotCancel(journaled.run, options.workflows)
    : refused("RUN_NOT_FOUND", `No run ${runId}`, null);
  if (refusal) return refusal;
  if (!(await store.requestCancel(runId, request))) return ended(await store.getRun(runId), runId);
  // The owner is this very process: no need to wait for it to hear of it through the journal.
  const local = executingRuns.get(runId);
  if (local?.owner === store.owner) local.cancel(request);
  const run = options.waitMs ? await waitForRunEnd(store, runId, options.waitMs) : await store.getRun(runId);
  // The run ended on its own (or past its pivot) before its owner heard the cancel: its end wins.
  if (run && isTerminalStatus(run.status) && run.status !== "CANCELLED" && run.error?.code !== "RUN_CANCELLED")
    return ended(run, runId);
  return { changed: true, run: run! };
}

function cannotCancel(run: RunSnapshot, workflows: CancelRunOptions["workflows"]): RunControlResult | undefined {
  if (isTerminalStatus(run.status)) return ended(run, run.id);
  if (run.status === "COMPENSATING") {
    // A second cancel of a run whose first one is being carried out is told so, not that the run failed.
    const why = run.cancelRequest
      ? `being cancelled (asked by ${run.cancelRequest.by})`
      : "compensating after a failure";
    return refused("RUN_COMPENSATING", `Run ${run.id} is already ${why}; it ends as it would have`, run);
  }
  const definition = workflows?.find((workflow) => workflow.name === run.workflow);
  if (!definition?.options.forwardRecovery) return undefined;
  const completed = run.steps.findIndex((step) => step.status !== "COMPLETED");
  const steps = definition.steps as readonly Step<AnyStepContext, unknown>[];
  if (!pivotCompleted(steps, completed < 0 ? run.steps.length : completed, run.transactional)) return undefined;
  return refused("RUN_PAST_PIVOT", `Run ${run.id} got past a step that cannot be undone; it can only go forward`, run);
}

function ended(run: RunSnapshot | null, runId: string): RunControlResult {
  if (!run) return refused("RUN_NOT_FOUND", `No run ${runId}`, null);
  return refused("RUN_ALREADY_ENDED", `Run ${runId} already ended ${run.status}; nothing changed`, run);
}
