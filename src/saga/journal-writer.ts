import { errorMessage, NonRetryableError } from "./errors.ts";
import type { RunEvent } from "./run-events.ts";
import type { RunStore } from "./run-store.ts";

/**
 * The journal refused or failed a write. The run stops where it is: going on without a record would let a crash
 * repeat or forget what follows. Its lease then runs out and recovery resumes it from the journal.
 * Non-retryable so that a step's retry policy never mistakes it for the step's own failure.
 */
export class JournalWriteError extends NonRetryableError {
  override readonly code = "JOURNAL_WRITE_FAILED";
  constructor(readonly runId: string, cause: unknown) {
    super(`Could not journal run ${runId}: ${errorMessage(cause)}`, { cause });
    this.name = "JournalWriteError";
  }
}

/**
 * Writes one run's events in order, with as few commits as the guarantees allow. An event the run can lose in a
 * crash — because a checkpoint or an idempotent re-run makes up for it (a step's completion, a retry, a database
 * step's start) — is deferred and written in the same commit as the next event that must be durable before the
 * run goes on (its start, an external step's attempt, a compensation's attempt, its end).
 */
export class JournalWriter {
  #pending: RunEvent[] = [];

  constructor(readonly store: RunStore, readonly runId: string) {}

  defer(event: RunEvent): void {
    this.#pending.push(event);
  }

  /** Resolves once `event` and every deferred event before it are durable. */
  async write(event?: RunEvent): Promise<void> {
    const events = this.#pending;
    if (event) events.push(event);
    if (events.length === 0) return;
    this.#pending = [];
    try {
      await this.#record(events);
    } catch (error) {
      throw error instanceof JournalWriteError ? error : new JournalWriteError(this.runId, error);
    }
  }

  async #record(events: RunEvent[]): Promise<void> {
    if (events.length === 1) return this.store.record(events[0]!);
    if (this.store.recordAll) return this.store.recordAll(events);
    for (const event of events) await this.store.record(event);
  }
}
