import type { Pool, QueryConfig } from "pg";

/**
 * Announces journaled events (`pg_notify(channel, '<runId>:<seq>')`) after their write committed, off the write
 * path. PostgreSQL serializes the commits of all notifying transactions in the cluster — each takes a lock held
 * through its commit's WAL flush — so a NOTIFY inside every journal write would queue concurrent writes one flush
 * at a time. Here at most one notifying transaction is in flight per store: announcements that arrive meanwhile
 * wait and go out together in the next one, which commits without waiting for its flush (an announcement is not
 * data: the events themselves are already durable).
 *
 * An announcement can be lost (the process dies before sending it, the connection drops); the event cannot.
 * Listeners therefore treat a notification as a hint and read `listEvents({ afterSeq })`.
 */
export class PostgresEventAnnouncer {
  readonly #pool: Pool;
  readonly #channel: string;
  readonly #text = `WITH s AS (SELECT set_config('synchronous_commit', 'off', true))
    SELECT pg_notify($1, p) FROM s, unnest($2::text[]) AS p`;
  #pending: string[] = [];
  #flushing: Promise<void> | undefined;

  constructor(pool: Pool, channel: string) {
    this.#pool = pool;
    this.#channel = channel;
  }

  /** Queues `payloads` (`<runId>:<seq>`) for the next notifying transaction; never waits for it. */
  announce(payloads: readonly string[]): void {
    for (const payload of payloads) this.#pending.push(payload);
    this.#flushing ??= this.#flush();
  }

  /** Resolves once everything announced so far was sent (or dropped after an error). */
  async drain(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }

  async #flush(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending;
      this.#pending = [];
      // One statement, so one round trip; set_config(…, true) lasts until its own transaction commits.
      const query: QueryConfig = { name: "sagaql_announce_events", text: this.#text, values: [this.#channel, batch] };
      // Best effort by design (see the class comment): a failed batch is dropped, never retried into a storm.
      await this.#pool.query(query).catch(() => undefined);
    }
    this.#flushing = undefined;
  }
}
