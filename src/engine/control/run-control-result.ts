import type { DurableRunJournal } from "../journal/durable-run-journal.ts";
import { isTerminalStatus } from "../journal/durable-run-journal.ts";
import type { RunSnapshot } from "../journal/run-snapshot.ts";

/** Why a cancel, retry or resume changed nothing. Stable, for programs. */
export type RunControlRefusal =
  /** No run has that id. */
  | "RUN_NOT_FOUND"
  /** The run had already ended (or ended on its own before the cancel reached it): it is returned as it ended. */
  | "RUN_ALREADY_ENDED"
  /** The run is already undoing its steps after a failure: it ends as it would have. */
  | "RUN_COMPENSATING"
  /** The run got past its pivot (a step nothing can undo) and can only go forward. */
  | "RUN_PAST_PIVOT"
  /** Retry: the run is not FAILED with a failed compensation (or it is parked: resume it). */
  | "RUN_NOT_RETRYABLE"
  /** Resume: the run is not parked (nor stuck past its pivot). */
  | "RUN_NOT_PARKED"
  /** The run changed while being reopened (someone else retried or resumed it first). */
  | "RUN_CHANGED"
  /** Retry or resume: this instance has no workflow of the run's name. */
  | "WORKFLOW_UNKNOWN"
  /** Retry or resume: the workflow's steps are no longer those the run was journaled with. */
  | "WORKFLOW_DEFINITION_CHANGED";

export type RunControlResult =
  | { changed: true; run: RunSnapshot }
  | { changed: false; code: RunControlRefusal; message: string; run: RunSnapshot | null };

export function refused(code: RunControlRefusal, message: string, run: RunSnapshot | null): RunControlResult {
  return { changed: false, code, message, run };
}

/** Polls the journal until the run ended or `waitMs` passed; returns the run as it then stands. */
export async function waitForRunEnd(
  store: DurableRunJournal,
  runId: string,
  waitMs: number,
  everyMs = 25,
): Promise<RunSnapshot | null> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const run = await store.getRun(runId);
    if (!run || isTerminalStatus(run.status) || Date.now() >= deadline) return run;
    await new Promise((resolve) => setTimeout(resolve, Math.min(everyMs, Math.max(0, deadline - Date.now()))));
  }
}
