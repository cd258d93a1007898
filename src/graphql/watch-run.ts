import { isTerminalStatus, type DurableRunJournal } from "../engine/journal/durable-run-journal.ts";
import type { RunEventFeed } from "../engine/journal/run-event-feed.ts";
import { applyRunEvent, type RunSnapshot } from "../engine/journal/run-snapshot.ts";

/** What watching a run reads: its snapshot with the sequence number it stands at, and the events after it. */
export type WatchedJournal = Pick<DurableRunJournal, "getJournaledRun" | "listEvents">;

export interface WatchRunOptions {
  store: WatchedJournal;
  feed: RunEventFeed;
  runId: string;
}

/** Events read per journal query while catching up. */
const PAGE = 100;

/**
 * The snapshots of one run as it progresses: first the current one, then one after each journaled event
 * (step started, retrying, completed, failed, compensation started, …), ending after the first terminal one.
 * Null when the journal has no such run.
 *
 * The feed only says *that* something happened; what happened is read from the journal after the last event
 * seen, so a coalesced or lost-and-replayed wake-up never skips nor repeats a transition. `return()` stops at
 * once, even while waiting, which is how a disconnected client's listener is released.
 */
export async function watchRun(options: WatchRunOptions): Promise<AsyncIterableIterator<RunSnapshot> | null> {
  const watch = new RunWatch(options);
  // Subscribed before the first read: an event committed in between wakes the watch instead of being missed.
  const journaled = await options.store.getJournaledRun(options.runId).catch((error: unknown) => {
    watch.stop();
    throw error;
  });
  if (!journaled) {
    watch.stop();
    return null;
  }
  watch.start(journaled.run, journaled.lastSeq);
  return watch;
}

class RunWatch implements AsyncIterableIterator<RunSnapshot> {
  readonly #options: WatchRunOptions;
  readonly #queue: RunSnapshot[] = [];
  #unsubscribe: (() => void) | undefined;
  #current: RunSnapshot | undefined;
  #lastSeq = 0;
  /** A wake-up arrived that no catch-up has answered yet. */
  #pending = false;
  #wake: (() => void) | undefined;
  #stopped = false;

  constructor(options: WatchRunOptions) {
    this.#options = options;
    this.#unsubscribe = options.feed.subscribe(options.runId, () => this.#notify());
  }

  start(run: RunSnapshot, lastSeq: number): void {
    this.#current = run;
    this.#lastSeq = lastSeq;
    this.#queue.push(structuredClone(run));
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<RunSnapshot> {
    return this;
  }

  async next(): Promise<IteratorResult<RunSnapshot, undefined>> {
    for (;;) {
      if (this.#stopped) return this.#done();
      const queued = this.#queue.shift();
      if (queued) return { value: queued, done: false };
      if (!this.#current || isTerminalStatus(this.#current.status)) return this.#done();
      await this.#woken();
      if (this.#stopped) continue;
      try {
        await this.#catchUp(this.#current);
      } catch (error) {
        this.stop();
        throw error;
      }
    }
  }

  async return(): Promise<IteratorResult<RunSnapshot, undefined>> {
    return this.#done();
  }

  /** Releases the feed subscription and ends any `next()` waiting for a wake-up. Safe to call twice. */
  stop(): void {
    this.#stopped = true;
    this.#queue.length = 0;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#wake?.();
  }

  #done(): IteratorResult<RunSnapshot, undefined> {
    this.stop();
    return { value: undefined, done: true };
  }

  #notify(): void {
    this.#pending = true;
    this.#wake?.();
  }

  async #woken(): Promise<void> {
    if (!this.#pending) await new Promise<void>((resolve) => (this.#wake = resolve));
    this.#wake = undefined;
    this.#pending = false;
  }

  /** Applies every event after the last one seen, queueing a snapshot after each; stops at the terminal one. */
  async #catchUp(run: RunSnapshot): Promise<void> {
    for (;;) {
      const events = await this.#options.store.listEvents({
        runId: this.#options.runId,
        afterSeq: this.#lastSeq,
        take: PAGE,
      });
      for (const { seq, event } of events) {
        this.#lastSeq = seq;
        applyRunEvent(run, event);
        this.#queue.push(structuredClone(run));
        if (isTerminalStatus(run.status)) return;
      }
      if (events.length < PAGE) return;
    }
  }
}
