import { setMaxListeners } from "node:events";
import { RunCancelledError, RunShutdownError } from "../errors.ts";
import type { RunControlRequest } from "../journal/run-events.ts";

/**
 * What can stop a journaled run while this process executes it. A cancel aborts the signal its steps' attempts
 * listen to, never the one its compensations listen to: undoing what the run did must not be cut short by the very
 * cancel that asked for it. A shutdown aborts both: the run stops as a crash would stop it, and recovery resumes it.
 */
export class RunSignals {
  readonly #steps = new AbortController();
  readonly #compensations = new AbortController();
  #request: RunControlRequest | undefined;
  #settled!: () => void;
  /** Resolves once the run stopped executing here. */
  readonly settled = new Promise<void>((resolve) => (this.#settled = resolve));
  /**
   * Whether the run may still be cancelled: false once it got past its pivot, where undoing the steps before it
   * could not undo the pivot. Set by the run. @default always
   */
  cancellable: () => boolean = () => true;

  /** `owner`: the journal owner executing the run (its store's `owner`), for a shutdown of that journal's runs. */
  constructor(
    readonly runId: string,
    readonly owner: string | undefined,
  ) {
    // Every retry of a step adds a listener for its attempt (and removes it after): no limit to warn about.
    setMaxListeners(0, this.#steps.signal, this.#compensations.signal);
  }

  /** What a step's attempt listens to: a cancel or a shutdown. */
  get steps(): AbortSignal {
    return this.#steps.signal;
  }

  /** What a compensation's attempt listens to: a shutdown only. */
  get compensations(): AbortSignal {
    return this.#compensations.signal;
  }

  /** The cancel this run honours, once it heard one. */
  get cancelRequest(): RunControlRequest | undefined {
    return this.#request;
  }

  get shuttingDown(): boolean {
    return this.#compensations.signal.aborted;
  }

  /** Aborts the step under way; false when the run cannot be cancelled (past its pivot) or already was. */
  cancel(request: RunControlRequest): boolean {
    if (this.#request !== undefined || this.shuttingDown || !this.cancellable()) return false;
    this.#request = request;
    this.#steps.abort(new RunCancelledError(this.runId, request.by, request.reason));
    return true;
  }

  shutdown(): void {
    if (this.shuttingDown) return;
    const reason = new RunShutdownError(this.runId);
    this.#compensations.abort(reason);
    if (!this.#steps.signal.aborted) this.#steps.abort(reason);
  }

  /** Called by the run when it stops executing here. */
  done(): void {
    this.#settled();
  }
}

/** The journaled runs this process is executing, by id. */
export const executingRuns = new Map<string, RunSignals>();

/** The runs this process executes for journal owner `owner` (all of them when undefined). */
export function executingRunsOf(owner?: string): RunSignals[] {
  return [...executingRuns.values()].filter((signals) => owner === undefined || signals.owner === owner);
}

/**
 * Aborts every run this process executes for the journal owner `owner` (every run when undefined) and waits, at
 * most `waitMs`, for them to stop. Their current attempts' `ctx.signal` fires with a RunShutdownError; nothing of
 * the abort is journaled, so recovery takes each run up from where its journal stands, as after a crash.
 */
export async function stopExecutingRuns(owner?: string, waitMs = 5000): Promise<number> {
  const stopping = executingRunsOf(owner);
  for (const signals of stopping) signals.shutdown();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs).unref()));
  await Promise.race([Promise.all(stopping.map((signals) => signals.settled)), deadline]);
  clearTimeout(timer);
  return stopping.length;
}
