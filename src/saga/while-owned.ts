import { cancelWatchOf } from "./cancel-watch.ts";
import { isDurableRunStore } from "./durable-run-store.ts";
import { RunShutdownError } from "./errors.ts";
import { startLeaseHeartbeat } from "./lease-heartbeat.ts";
import { localRuns } from "./local-runs.ts";
import { runPastPivot } from "./pivot.ts";
import { executingRuns, RunSignals } from "./run-signals.ts";
import type { RunState } from "./run-state.ts";

/**
 * Keeps a journaled run's lease alive and marks it as executing here while `work` runs, so neither another
 * instance nor this one's recovery takes it over; meanwhile the run hears cancels (from any instance, through the
 * journal) and this process's shutdown. A run stopped by a shutdown gives its lease up, for recovery to resume it.
 */
export async function whileOwned<T>(run: RunState, work: () => Promise<T>): Promise<T> {
  const { store, ctx } = run;
  if (!isDurableRunStore(store)) return work();
  localRuns.add(ctx.runId);
  const signals = (run.signals = new RunSignals(ctx.runId, store.owner));
  signals.cancellable = () => !runPastPivot(run);
  executingRuns.set(ctx.runId, signals);
  if (run.journaledCancel) signals.cancel(run.journaledCancel);
  const unwatch = cancelWatchOf(store, run.logger).add(signals);
  const stop = startLeaseHeartbeat(store, ctx.runId, run.logger, () => run.journal?.started ?? true);
  try {
    return await work();
  } catch (error) {
    if (error instanceof RunShutdownError) await store.releaseRun(ctx.runId, store.owner).catch(() => false);
    throw error;
  } finally {
    stop();
    unwatch();
    executingRuns.delete(ctx.runId);
    localRuns.delete(ctx.runId);
    signals.done();
  }
}
