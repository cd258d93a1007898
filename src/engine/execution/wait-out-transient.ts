import { DatabaseUnavailableError } from "../errors.ts";
import { sleep } from "./retry.ts";
import { isTransientDatabaseError } from "./transient-error.ts";
import { transientWaits, type TransientRetryOptions } from "./wait-policy.ts";

/**
 * Does `work` — a read, or anything else that is safe to do again (an idempotent setup) — waiting out a lost
 * connection or a busy database as a run would (`options`, e.g. the workflow's `transientRetry`): a fault that
 * passes is no failure to answer with. Past the wait it fails with `DatabaseUnavailableError`; on any other error
 * at once.
 */
export async function waitOutTransient<T>(work: () => Promise<T>, options?: TransientRetryOptions): Promise<T> {
  const since = Date.now();
  const waits = transientWaits(options, since);
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (!isTransientDatabaseError(error)) throw error;
      const wait = waits.next();
      if (wait === undefined) throw new DatabaseUnavailableError(Date.now() - since, error);
      await sleep(wait);
    }
  }
}
