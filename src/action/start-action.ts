import { waitOutTransient } from "../engine/execution/wait-out-transient.ts";
import { prepareAttempt, reportedFailure, requestOf, runWaitingForResource } from "./action-attempt.ts";
import { concealingConflicts, conflictContext } from "./concealed-conflict.ts";
import { checkSameRequest } from "./idempotent-action.ts";
import type { ActionRuntime, AnyEntity, RunActionRequest } from "./run-action.ts";

/** What `startAction` answers: the run is durably started (or was, under the same key) and goes on by itself. */
export interface ActionStarted {
  runId: string;
  /** True when an earlier request with the same idempotency key started the run. */
  replayed: boolean;
}

/**
 * Starts an action's run and answers as soon as its start is durable; the run goes on in this process (and after a
 * crash, through recovery), its outcome read from the journal. The same checks run first, and fail the same way;
 * a key whose run exists answers that run, whatever its state.
 */
export async function startAction(
  runtime: ActionRuntime,
  entity: AnyEntity,
  actionName: string,
  request: RunActionRequest,
): Promise<ActionStarted> {
  const attempt = await prepareAttempt(entity, actionName, request, runtime);
  return concealingConflicts(conflictContext(runtime, attempt), () => start(runtime, attempt));
}

async function start(
  runtime: ActionRuntime,
  attempt: Awaited<ReturnType<typeof prepareAttempt>>,
): Promise<ActionStarted> {
  if (attempt.store !== undefined) {
    const { store, definition, idempotencyKey } = attempt;
    const earlier = await waitOutTransient(
      () => store.findRunByIdempotencyKey(definition.workflow.name, idempotencyKey!),
      definition.workflow.options.transientRetry,
    );
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
