import type { DurableRunJournal } from "../../engine/journal/durable-run-journal.ts";
import { consoleLogger, type Logger } from "../../engine/logger.ts";
import type { RunEventFeed, RunEventListener } from "../../engine/journal/run-event-feed.ts";
import { LocalRunEventFeed } from "../local-run-event-feed.ts";

export interface SqliteRunEventFeedOptions {
  /** The journal to watch: the app's own `SqliteRunJournal` (any store with `listEvents` works). */
  store: Pick<DurableRunJournal, "listEvents">;
  /** How often the journal is read while someone is subscribed, in ms. @default 50 */
  intervalMs?: number;
  /** Where a failed read is reported (the next tick tries again). @default consoleLogger */
  logger?: Logger;
}

/** Events read per run and tick; a run with more catches up over the next ticks. */
const PAGE = 100;

/**
 * Live progress on SQLite, which has no notifications: while anyone is subscribed, the journal is read every
 * `intervalMs` for events after the last one seen of each subscribed run (an indexed look-up on
 * `(run_id, seq)`), and their subscribers are told. Every process sharing the journal file sees every run
 * within one interval; with no subscriber there is no timer and no query. Runs this process executes are read
 * at once when its store announces them (`announcingRunJournal`).
 */
export class SqliteRunEventFeed implements RunEventFeed {
  readonly #store: SqliteRunEventFeedOptions["store"];
  readonly #intervalMs: number;
  readonly #logger: Logger;
  readonly #local: LocalRunEventFeed;
  /** The newest sequence number seen per subscribed run; 0 until the first read. */
  readonly #cursors = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #polling = false;

  constructor(options: SqliteRunEventFeedOptions) {
    this.#store = options.store;
    this.#intervalMs = options.intervalMs ?? 50;
    this.#logger = options.logger ?? consoleLogger;
    this.#local = new LocalRunEventFeed({ logger: this.#logger });
  }

  get subscriberCount(): number {
    return this.#local.subscriberCount;
  }

  /** True while the feed reads the journal on a timer (only while someone is subscribed). */
  get polling(): boolean {
    return this.#timer !== undefined;
  }

  subscribe(runId: string, listener: RunEventListener): () => void {
    const unsubscribe = this.#local.subscribe(runId, listener);
    if (!this.#cursors.has(runId)) this.#cursors.set(runId, 0);
    this.#timer ??= setInterval(() => void this.#tick(), this.#intervalMs).unref();
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      unsubscribe();
      this.#forgetUnwatched();
    };
  }

  /** Reads the run now if someone is subscribed to it: this process just journaled it, and need not wait a tick. */
  announce(runId: string): void {
    if (!this.#cursors.has(runId)) return;
    this.#poll(runId).catch((error: unknown) =>
      this.#logger.warn({ err: (error as Error).message }, "run event feed could not read the journal"),
    );
  }

  async close(): Promise<void> {
    this.#stop();
    this.#cursors.clear();
    await this.#local.close();
  }

  async #tick(): Promise<void> {
    // A slow read (a busy file) must not pile up reads behind it.
    if (this.#polling) return;
    this.#polling = true;
    try {
      for (const runId of this.#local.runIds()) await this.#poll(runId);
    } catch (error) {
      this.#logger.warn({ err: (error as Error).message }, "run event feed could not read the journal; retrying");
    } finally {
      this.#polling = false;
    }
  }

  async #poll(runId: string): Promise<void> {
    const afterSeq = this.#cursors.get(runId) ?? 0;
    const events = await this.#store.listEvents({ runId, afterSeq, take: PAGE });
    const last = events.at(-1);
    const cursor = this.#cursors.get(runId);
    // An announcement's read and a tick's may overlap: the cursor only moves forward.
    if (!last || cursor === undefined || last.seq <= cursor) return;
    this.#cursors.set(runId, last.seq);
    // Even the first read, which finds the run's history, wakes subscribers: an event may have landed between
    // their own read of the run and this one, and a spurious wake-up costs them one empty read.
    this.#local.publish(runId, last.seq);
  }

  #forgetUnwatched(): void {
    const watched = new Set(this.#local.runIds());
    for (const runId of this.#cursors.keys()) if (!watched.has(runId)) this.#cursors.delete(runId);
    if (watched.size === 0) this.#stop();
  }

  #stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
