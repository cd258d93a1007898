import { consoleLogger, type Logger } from "../engine/logger.ts";
import type { RunEventFeed, RunEventListener } from "../engine/journal/run-event-feed.ts";

export interface LocalRunEventFeedOptions {
  /** Where a listener that throws is reported; the other listeners still hear. @default consoleLogger */
  logger?: Logger;
}

/**
 * The in-process half of every feed: subscribers by run id, and `publish` to tell them. The PostgreSQL and
 * SQLite feeds publish what they learn from the database; used alone, it serves a single process whose code
 * publishes after each journal write.
 */
export class LocalRunEventFeed implements RunEventFeed {
  readonly #listeners = new Map<string, Set<RunEventListener>>();
  readonly #logger: Logger;
  #closed = false;

  constructor(options: LocalRunEventFeedOptions = {}) {
    this.#logger = options.logger ?? consoleLogger;
  }

  subscribe(runId: string, listener: RunEventListener): () => void {
    if (this.#closed) throw new Error("The run event feed is closed");
    // Wrapped, so the same function subscribed twice is two subscriptions and each unsubscribes only itself.
    const entry: RunEventListener = (seq) => listener(seq);
    let listeners = this.#listeners.get(runId);
    if (!listeners) this.#listeners.set(runId, (listeners = new Set()));
    listeners.add(entry);
    return () => {
      listeners.delete(entry);
      if (listeners.size === 0 && this.#listeners.get(runId) === listeners) this.#listeners.delete(runId);
    };
  }

  publish(runId: string, seq?: number): void {
    for (const listener of [...(this.#listeners.get(runId) ?? [])]) {
      // One subscriber's bug must not keep the others from hearing, nor break the connection that delivered it.
      try {
        listener(seq);
      } catch (error) {
        this.#logger.error({ err: error, runId }, "a run event listener failed");
      }
    }
  }

  /** Wakes every subscriber: after a gap in which events may have gone unannounced (a lost connection). */
  publishAll(): void {
    for (const runId of this.runIds()) this.publish(runId);
  }

  /** Runs someone is subscribed to right now. */
  runIds(): string[] {
    return [...this.#listeners.keys()];
  }

  get subscriberCount(): number {
    let count = 0;
    for (const listeners of this.#listeners.values()) count += listeners.size;
    return count;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
  }
}
