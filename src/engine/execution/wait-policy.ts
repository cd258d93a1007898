import { retryDelay } from "./retry.ts";

/** How long a run waits out database failures that can pass (lost connections, busy pools and locks). */
export interface TransientRetryOptions {
  /** How long, in ms from the first such failure, before the run stops waiting and fails. @default 60000 */
  forMs?: number;
  /** The first wait, in ms; each later one doubles. @default 50 */
  delay?: number;
  /** No wait is longer than this, in ms. @default 2000 */
  maxDelay?: number;
}

/** How a run that got past its pivot is driven forward when a later step fails. */
export interface ForwardRecoveryOptions {
  /** Tries of the remaining steps after the first failure, before the run is parked for a person. @default 10 */
  maxAttempts?: number;
  /** The first wait, in ms. @default 100 */
  delay?: number;
  /** Each later wait is the previous one times this. @default 2 */
  backoff?: number;
  /** No wait is longer than this, in ms. @default 5000 */
  maxDelay?: number;
}

export const TRANSIENT_FOR_MS = 60_000;

/** Hands out the waits of one policy in turn; `undefined` once the policy gives up. */
export interface Waits {
  next(): number | undefined;
  /** How many waits were handed out. */
  readonly count: number;
}

/** `since`: when the work being retried first started; the deadline counts from there. */
export function transientWaits(
  options: TransientRetryOptions = {},
  since: number = Date.now(),
  now: () => number = Date.now,
): Waits {
  const forMs = options.forMs ?? TRANSIENT_FOR_MS;
  const policy = {
    maxAttempts: Number.MAX_SAFE_INTEGER,
    delay: options.delay ?? 50,
    backoff: 2,
    maxDelay: options.maxDelay ?? 2000,
    jitter: 0.5,
  };
  let count = 0;
  return {
    next() {
      const wait = retryDelay(policy, count + 1);
      if (now() + wait - since > forMs) return undefined;
      count += 1;
      return wait;
    },
    get count() {
      return count;
    },
  };
}

export function forwardWaits(options: ForwardRecoveryOptions | true): Waits {
  const settings = options === true ? {} : options;
  const maxAttempts = settings.maxAttempts ?? 10;
  const policy = {
    maxAttempts,
    delay: settings.delay ?? 100,
    backoff: settings.backoff ?? 2,
    maxDelay: settings.maxDelay ?? 5000,
  };
  let count = 0;
  return {
    next() {
      if (count >= maxAttempts) return undefined;
      count += 1;
      return retryDelay(policy, count);
    },
    get count() {
      return count;
    },
  };
}
