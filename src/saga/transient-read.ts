import { DatabaseUnavailableError } from "./errors.ts";
import { sleep } from "./retry.ts";
import { isTransientDatabaseError } from "./transient-error.ts";
import { transientWaits, type TransientRetryOptions } from "./wait-policy.ts";

/**
 * Reads with `read`, waiting out a lost connection or a busy database as a run would (`options`, the workflow's
 * `transientRetry`): a read changes nothing, so trying it again is always safe, and a fault that passes is no
 * failure to answer with. Past the wait it fails with `DatabaseUnavailableError`; any other error at once.
 */
export async function readWaitingOut<T>(read: () => Promise<T>, options?: TransientRetryOptions): Promise<T> {
  const since = Date.now();
  const waits = transientWaits(options, since);
  for (;;) {
    try {
      return await read();
    } catch (error) {
      if (!isTransientDatabaseError(error)) throw error;
      const wait = waits.next();
      if (wait === undefined) throw new DatabaseUnavailableError(Date.now() - since, error);
      await sleep(wait);
    }
  }
}
