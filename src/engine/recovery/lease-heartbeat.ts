import type { DurableRunJournal } from "../journal/durable-run-journal.ts";
import { serializeError } from "../errors.ts";
import type { Logger } from "../logger.ts";

/**
 * Renews the run's lease about three times per lease period while the run executes, so no other instance takes
 * over a run that is alive. Returns the function that stops it. A lost lease is only logged here: the journal
 * refuses this instance's next write, which stops the run. `started` says whether the run's start is durable yet.
 */
export function startLeaseHeartbeat(
  store: DurableRunJournal,
  runId: string,
  logger: Logger,
  started: () => boolean,
): () => void {
  const timer = setInterval(
    () => {
      // A start written in a database step's transaction is not there yet: there is no lease to renew.
      if (!started()) return;
      store.renewLease(runId, store.owner, store.leaseMs).then(
        (renewed) => {
          if (renewed) return;
          clearInterval(timer);
          logger.warn({ runId, owner: store.owner }, "lost the lease of a running run: another instance took it over");
        },
        (error: unknown) =>
          logger.warn({ runId, err: serializeError(error) }, "could not renew a run's lease; retrying"),
      );
    },
    Math.max(50, Math.floor(store.leaseMs / 3)),
  );
  // A heartbeat alone must not keep a process alive that has nothing else to do.
  timer.unref();
  return () => clearInterval(timer);
}
