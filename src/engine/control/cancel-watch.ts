import type { DurableRunJournal } from "../journal/durable-run-journal.ts";
import { serializeError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { RunEventFeed } from "../journal/run-event-feed.ts";
import type { RunSignals } from "./run-signals.ts";

/** How often the journal is asked for cancel requests while this process executes runs, in ms. */
const POLL_MS = 100;
/** With a feed that wakes the watch, the poll is only a backstop for a lost announcement. */
const POLL_WITH_FEED_MS = 2000;

/**
 * Hears the cancel requests any instance journals for the runs this process executes on one journal. While there
 * are such runs it asks the journal every `POLL_MS` in one query for all of them (the journal file on SQLite, the
 * database on PostgreSQL); a feed of the journal's events (`hearCancelsThrough`) wakes it at once instead.
 */
class CancelWatch {
  readonly #runs = new Map<string, RunSignals>();
  readonly #unsubscribe = new Map<string, () => void>();
  #feed: RunEventFeed | undefined;
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<void> | undefined;
  #again = false;

  constructor(
    readonly store: DurableRunJournal,
    readonly logger: Logger,
  ) {}

  set feed(feed: RunEventFeed | undefined) {
    this.#feed = feed;
  }

  /** Watches `signals`' run until the returned function is called. */
  add(signals: RunSignals): () => void {
    this.#runs.set(signals.runId, signals);
    if (this.#feed)
      this.#unsubscribe.set(
        signals.runId,
        this.#feed.subscribe(signals.runId, () => this.checkNow()),
      );
    this.#timer ??= setInterval(() => this.checkNow(), this.#feed ? POLL_WITH_FEED_MS : POLL_MS).unref();
    return () => {
      this.#runs.delete(signals.runId);
      this.#unsubscribe.get(signals.runId)?.();
      this.#unsubscribe.delete(signals.runId);
      if (this.#runs.size > 0) return;
      clearInterval(this.#timer);
      this.#timer = undefined;
    };
  }

  /** One query for every watched run; calls while one is under way share a single next one. */
  checkNow(): void {
    if (this.#checking) {
      this.#again = true;
      return;
    }
    this.#checking = this.#check().finally(() => {
      this.#checking = undefined;
      if (!this.#again) return;
      this.#again = false;
      this.checkNow();
    });
  }

  async #check(): Promise<void> {
    const ids = [...this.#runs.keys()].filter((id) => this.#runs.get(id)?.cancelRequest === undefined);
    if (ids.length === 0) return;
    try {
      const requests = await this.store.cancelRequests(ids);
      for (const [runId, request] of requests) this.#runs.get(runId)?.cancel(request);
    } catch (error) {
      this.logger.warn({ err: serializeError(error) }, "could not read cancel requests from the journal; trying again");
    }
  }
}

/** One watch per store object: the runs executing through it share one query. */
const watches = new WeakMap<DurableRunJournal, CancelWatch>();

export function cancelWatchOf(store: DurableRunJournal, logger: Logger): CancelWatch {
  let watch = watches.get(store);
  if (!watch) watches.set(store, (watch = new CancelWatch(store, logger)));
  return watch;
}

/**
 * Lets the runs this process executes on `store` hear a cancel through `feed` (LISTEN/NOTIFY on PostgreSQL) as
 * soon as it is journaled, rather than at the journal's next poll. A feed that itself polls the journal (it asks
 * for announcements: SQLite's) is not used: it would read each run's events on every tick, where the watch's own
 * poll reads the journal file once for all of them.
 */
export function hearCancelsThrough(store: DurableRunJournal, feed: RunEventFeed, logger: Logger): void {
  if (feed.announce) return;
  cancelWatchOf(store, logger).feed = feed;
}
