import type { Driver } from "../definition/driver.ts";
import { errorMessage, NonRetryableError } from "../errors.ts";
import type { RunEvent } from "./run-events.ts";
import type { RawQuery, RunJournal } from "./run-journal.ts";
import { sleep } from "../execution/retry.ts";
import { isTransientDatabaseError } from "../execution/transient-error.ts";
import { transientWaits } from "../execution/wait-policy.ts";

/** How long a journal write waits out a lost connection or a busy database before the run stops. */
const JOURNAL_WAIT_MS = 30_000;

/**
 * The journal refused or failed a write. The run stops where it is: going on without a record would let a crash
 * repeat or forget what follows. Its lease then runs out and recovery resumes it from the journal.
 * Non-retryable so that a step's retry policy never mistakes it for the step's own failure.
 */
export class JournalWriteError extends NonRetryableError {
  override readonly code = "JOURNAL_WRITE_FAILED";
  constructor(
    readonly runId: string,
    cause: unknown,
  ) {
    super(`Could not journal run ${runId}: ${errorMessage(cause)}`, { cause });
    this.name = "JournalWriteError";
  }
}

interface InTransaction {
  /** Events taken from the deferred ones: deferred again if the transaction rolls back. */
  taken: RunEvent[];
  /** Events written ahead of time: skipped when the engine gets to them, once the transaction committed. */
  ahead: RunEvent[];
  announce(): void;
}

/**
 * Writes one run's events in order, with as few commits as the guarantees allow. An event the run can lose in a
 * crash — because a checkpoint or an idempotent re-run makes up for it (a step's completion, a retry, a database
 * step's start) — is deferred and written in the same commit as the next event that must be durable before the
 * run goes on (its start, an external step's attempt, a compensation's attempt, its end). With a journal in the
 * app database, a database step's transaction carries the deferred events too (`writeThrough`), and even events
 * written ahead of time: the step's completion, the next external step's first attempt, or the run's end.
 */
export class JournalWriter {
  #pending: RunEvent[] = [];
  readonly #ahead = new Set<string>();
  #inTransaction: InTransaction | undefined;
  #started = false;

  /** `started`: the run is already in the journal (a resumed run). */
  constructor(
    readonly store: RunJournal,
    readonly runId: string,
    started = false,
  ) {
    this.#started = started;
  }

  /** True once the run's `run-started` event is durable (its lease exists). */
  get started(): boolean {
    return this.#started;
  }

  defer(event: RunEvent): void {
    if (!this.#isAhead(event)) this.#pending.push(event);
  }

  /** Resolves once `event` and every deferred event before it are durable. */
  async write(event?: RunEvent): Promise<void> {
    const events = this.#pending;
    if (event && !this.#isAhead(event)) events.push(event);
    if (events.length === 0) return;
    this.#pending = [];
    try {
      await this.#recordWaitingOut(events);
    } catch (error) {
      throw error instanceof JournalWriteError ? error : new JournalWriteError(this.runId, error);
    }
    this.#noteStarted(events);
  }

  /**
   * A journal that lost its connection (or found its database busy) is written again once it is back: the run
   * waits rather than stopping, since stopping hands it to recovery only after its lease runs out. A write whose
   * commit went through but whose answer was lost is written twice; every event but a run's start and end applies
   * the same way twice, and those two are refused the second time (the run then stops and recovery settles it).
   */
  async #recordWaitingOut(events: RunEvent[]): Promise<void> {
    const waits = transientWaits({ forMs: JOURNAL_WAIT_MS }, Date.now());
    for (;;) {
      try {
        return await this.#record(events);
      } catch (error) {
        const wait = isTransientDatabaseError(error) ? waits.next() : undefined;
        if (wait === undefined) throw error;
        await sleep(wait);
      }
    }
  }

  /**
   * Writes the deferred events, then `ahead`, through `query` — inside the caller's open transaction, in one round
   * trip. Call `committed()` or `rolledBack()` once that transaction ended.
   */
  async writeThrough(query: RawQuery, ahead: RunEvent[]): Promise<void> {
    const taken = this.#pending;
    this.#pending = [];
    try {
      const batch = await this.store.recordAllThrough!(query, [...taken, ...ahead]);
      this.#inTransaction = { taken, ahead, announce: batch.announce };
    } catch (error) {
      this.#pending = taken.concat(this.#pending);
      throw error instanceof JournalWriteError ? error : new JournalWriteError(this.runId, error);
    }
  }

  committed(): void {
    const done = this.#inTransaction;
    if (!done) return;
    this.#inTransaction = undefined;
    for (const event of done.ahead) this.#ahead.add(aheadKey(event)!);
    this.#noteStarted(done.taken);
    done.announce();
  }

  rolledBack(): void {
    const lost = this.#inTransaction;
    if (!lost) return;
    this.#inTransaction = undefined;
    this.#pending = lost.taken.concat(this.#pending);
  }

  async #record(events: RunEvent[]): Promise<void> {
    if (events.length === 1) return this.store.record(events[0]!);
    if (this.store.recordAll) return this.store.recordAll(events);
    for (const event of events) await this.store.record(event);
  }

  #isAhead(event: RunEvent): boolean {
    if (this.#ahead.size === 0) return false;
    const key = aheadKey(event);
    return key !== undefined && this.#ahead.has(key);
  }

  #noteStarted(events: readonly RunEvent[]): void {
    if (!this.#started && events.some((e) => e.type === "run-started")) this.#started = true;
  }
}

/** Identifies the events that can be written ahead of time, so that the same event is not written twice. */
function aheadKey(event: RunEvent): string | undefined {
  switch (event.type) {
    case "step-started":
      return `started:${event.index}:${event.attempt}`;
    case "step-completed":
      return `completed:${event.index}`;
    case "run-finished":
      return "finished";
    default:
      return undefined;
  }
}

const reachCache = new WeakMap<RunJournal, WeakMap<object, Promise<boolean>>>();

/**
 * Whether the journal lives in the database `driver` talks to, so that a database step's transaction can carry
 * its events. Asked once per journal and driver: the answer does not change.
 */
export function journalShares(store: RunJournal, driver: Driver): Promise<boolean> {
  const query = driver.rawQuery;
  if (!store.recordAllThrough || !store.reaches || !query) return Promise.resolve(false);
  let byDriver = reachCache.get(store);
  if (!byDriver) reachCache.set(store, (byDriver = new WeakMap()));
  let answer = byDriver.get(driver);
  if (!answer) byDriver.set(driver, (answer = store.reaches(query).catch(() => false)));
  return answer;
}
