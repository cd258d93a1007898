import { assertJournalable } from "../journal/assert-journalable.ts";
import type { CheckpointOutput } from "./checkpoint-keys.ts";
import { replaceData, type RunContext } from "../definition/context.ts";
import { DatabaseUnavailableError } from "../errors.ts";
import { sleep } from "./retry.ts";
import { isTransientDatabaseError } from "./transient-error.ts";
import { transientWaits } from "./wait-policy.ts";
import type { RunEvent } from "../journal/run-events.ts";
import type { RunState } from "./run-state.ts";

/** Thrown inside the transaction to roll back an execution that lost the race to an earlier one. */
class DuplicateExecution {}

/**
 * Runs `work` — a step's or a compensation's database writes — in its own transaction on the app database,
 * together with the checkpoint `key` (the DBOS technique): both commit or neither does, and the checkpoint's
 * unique key lets only one execution commit. An execution that finds the checkpoint taken rolls back and adopts
 * the committed result and shared data instead, so a resumed or duplicated run never applies the writes twice.
 */
export async function runExactlyOnce(
  run: RunState,
  key: string,
  work: () => unknown,
  ahead?: (result: unknown) => RunEvent[],
  ctx: RunContext = run.ctx,
): Promise<unknown> {
  const since = Date.now();
  const waits = transientWaits(run.options.transientRetry, since);
  // A lost connection rolled the transaction back — or lost only the answer to its COMMIT: the checkpoint tells.
  for (let tries = 1; ; tries++) {
    if (run.resume || tries > 1) {
      const committed = await run.baseDriver.readStepCheckpoint(run.ctx.runId, key);
      if (committed) return adopt(run, committed.output);
    }
    try {
      return await transactionWithCheckpoint(run, key, work, ahead, ctx);
    } catch (error) {
      if (!isTransientDatabaseError(error)) throw error;
      const wait = waits.next();
      if (wait === undefined) throw new DatabaseUnavailableError(Date.now() - since, error);
      run.logger.warn(
        { runId: run.ctx.runId, step: run.ctx.stepName, try: tries, delayMs: wait },
        "a database step failed for a reason that can pass; trying it again",
      );
      await sleep(wait);
    }
  }
}

/** `ahead`: events to write in the same transaction, when the journal shares the app database. */
/**
 * `ctx` is the context the work runs with: an attempt that can time out has one of its own, so that its
 * transaction stays its own even while a later attempt runs its transaction beside it.
 */
async function transactionWithCheckpoint(
  run: RunState,
  key: string,
  work: () => unknown,
  ahead: ((result: unknown) => RunEvent[]) | undefined,
  ctx: RunContext,
): Promise<unknown> {
  const { baseDriver, journal } = run;
  const { signal } = ctx;
  try {
    const value = await baseDriver.transaction(async (tx) => {
      ctx.driver = tx;
      const result = await work();
      // An attempt that outlived its timeout rolls back: its result and its checkpoint must not commit.
      if (signal.aborted) throw signal.reason;
      assertJournalable(ctx.stepName, result, ctx.data);
      const output: CheckpointOutput = { result, data: ctx.data };
      if (!(await tx.writeStepCheckpoint(ctx.runId, key, output))) throw new DuplicateExecution();
      // A journal in the app database commits the run's events with the step: no commit of their own.
      if (run.journalInTransaction && tx.rawQuery) await journal!.writeThrough(tx.rawQuery, ahead?.(result) ?? []);
      return result;
    });
    journal?.committed();
    return value;
  } catch (error) {
    journal?.rolledBack();
    if (!(error instanceof DuplicateExecution)) throw error;
    const committed = await baseDriver.readStepCheckpoint(ctx.runId, key);
    if (!committed)
      throw new Error(`Run ${ctx.runId}: checkpoint "${key}" was reported taken but cannot be read`, { cause: error });
    return adopt(run, committed.output);
  } finally {
    ctx.driver = baseDriver;
  }
}

/** The committed execution's view wins: its result, and the shared data as it left it. */
function adopt(run: RunState, output: unknown): unknown {
  const { result, data } = output as CheckpointOutput;
  replaceData(run.ctx.data, data);
  return result;
}
