import { setMaxListeners } from "node:events";
import { NonRetryableError, StepTimeoutError } from "../errors.ts";
import type { RetryOptions } from "../definition/step.ts";

/** The wait before attempt `attempt + 1`, after `attempt` failed (attempts count from 1). */
export function retryDelay(retry: RetryOptions, attempt: number, random: () => number = Math.random): number {
  const base = (retry.delay ?? 0) * Math.pow(retry.backoff ?? 1, attempt - 1);
  const capped = Math.min(base, retry.maxDelay ?? Number.POSITIVE_INFINITY);
  const { jitter } = retry;
  if (!jitter) return capped;
  const spread = jitter === true ? 1 : jitter;
  return capped * (1 - spread * random());
}

export function isRetryable(retry: RetryOptions | undefined, error: unknown, attempt: number): boolean {
  if (!retry || attempt >= retry.maxAttempts) return false;
  if (error instanceof NonRetryableError) return false;
  return retry.shouldRetry ? retry.shouldRetry(error, attempt) : true;
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/**
 * The signal of an attempt that nothing can abort: one shared, never-aborted signal, so that the attempts of
 * steps without a timeout allocate nothing. Many concurrent steps may listen to it at once, hence no listener
 * limit; a listener added to it is never called, but stays until removed (as `fetch` removes its own).
 */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal;
setMaxListeners(0, NEVER_ABORTED);

/**
 * Races an attempt against its timeout and against `stop` (a cancel or a shutdown of its run). The attempt gets a
 * signal of its own that aborts, with the StepTimeoutError (or `stop`'s reason) as its reason, when either fires:
 * work that passes it on (to `fetch`, to a provider) really stops instead of running on unseen, and a result it
 * still produces later is fenced off — the race is already settled, so it is never journaled nor used. The timer
 * and the listener are removed either way so they cannot keep the process alive.
 */
export async function withTimeout<T>(
  work: (signal: AbortSignal) => T | Promise<T>,
  stepName: string,
  timeoutMs: number | undefined,
  stop?: AbortSignal,
): Promise<T> {
  if (timeoutMs === undefined && stop === undefined) return work(NEVER_ABORTED);
  if (stop?.aborted) throw stop.reason;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onStop: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    const abort = (error: unknown) => {
      // Rejected before aborting: the race is settled by the timeout or stop, not by the attempt's own abort error.
      reject(error);
      controller.abort(error);
    };
    if (timeoutMs !== undefined) timer = setTimeout(() => abort(new StepTimeoutError(stepName, timeoutMs)), timeoutMs);
    if (stop) stop.addEventListener("abort", (onStop = () => abort(stop.reason)), { once: true });
  });
  try {
    return await Promise.race([work(controller.signal), stopped]);
  } finally {
    clearTimeout(timer);
    if (onStop) stop!.removeEventListener("abort", onStop);
  }
}

export interface AttemptHooks {
  /** Called after a failed attempt that will be retried, before the wait. */
  onRetry?(attempt: number, error: unknown, delayMs: number): void | Promise<void>;
}

/**
 * Runs `attempt` until it succeeds or the policy gives up; rethrows the last error.
 * `firstAttempt` > 1 continues a count that a journal carried over (a crash grants no extra attempts).
 */
export async function runWithRetry<T>(
  attempt: (n: number) => T | Promise<T>,
  retry: RetryOptions | undefined,
  hooks: AttemptHooks = {},
  firstAttempt = 1,
): Promise<{ value: T; attempts: number }> {
  for (let n = firstAttempt; ; n++) {
    try {
      return { value: await attempt(n), attempts: n };
    } catch (error) {
      if (!isRetryable(retry, error, n)) throw new AttemptsExhausted(error, n);
      const wait = retryDelay(retry as RetryOptions, n);
      await hooks.onRetry?.(n, error, wait);
      await sleep(wait);
    }
  }
}

/** Wraps the final error of a retried call with how many attempts were spent on it. */
export class AttemptsExhausted {
  /** Set when the last attempt was cut off mid-call and the step may have taken effect. */
  inDoubt = false;
  constructor(
    readonly error: unknown,
    readonly attempts: number,
  ) {}
}
