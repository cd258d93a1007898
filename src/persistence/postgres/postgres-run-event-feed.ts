import pg from "pg";
import { consoleLogger, type Logger } from "../../engine/logger.ts";
import type { RunEventFeed, RunEventListener } from "../../engine/journal/run-event-feed.ts";
import { checkSchemaName } from "./journal-schema-postgres.ts";
import { LocalRunEventFeed } from "../local-run-event-feed.ts";
import { runEventsChannel } from "./postgres-run-journal-statements.ts";
import { waitOutTransient } from "../../engine/execution/wait-out-transient.ts";

export interface PostgresRunEventFeedOptions {
  /** `postgresql://…` of the database the journal is in. */
  connectionString: string;
  /** The journal's schema: the feed listens on its channel, `<schema>_run_events`. @default "sagaql" */
  schema?: string;
  /** `application_name` of the listening connection, to find it in `pg_stat_activity`. @default "sagaql-run-events" */
  applicationName?: string;
  /** First wait before reconnecting a lost connection, in ms; doubles on each failure. @default 100 */
  reconnectDelayMs?: number;
  /** Longest wait between reconnection attempts, in ms. @default 5000 */
  maxReconnectDelayMs?: number;
  /** Where lost connections and failed reconnections are reported. @default consoleLogger */
  logger?: Logger;
}

/**
 * Live progress across instances on PostgreSQL: one dedicated connection per process `LISTEN`s on the channel
 * the journal announces every committed event on (`pg_notify`, payload `<runId>:<seq>`), and fans each
 * notification out to the subscribers of that run. Every instance sharing the database hears every run,
 * its own included, within a round trip of the commit.
 *
 * A lost connection is re-opened with backoff. Notifications sent while it was down are gone, so once it is
 * back every subscriber is woken to re-read its run from the journal.
 */
/** How long opening the feed waits out a lost or refused connection. */
const OPEN_WAIT_MS = 30_000;

export class PostgresRunEventFeed implements RunEventFeed {
  readonly channel: string;
  readonly #options: PostgresRunEventFeedOptions;
  readonly #local: LocalRunEventFeed;
  readonly #logger: Logger;
  #client: pg.Client | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #failures = 0;
  #closed = false;

  private constructor(options: PostgresRunEventFeedOptions) {
    this.#options = options;
    this.#logger = options.logger ?? consoleLogger;
    this.#local = new LocalRunEventFeed({ logger: this.#logger });
    this.channel = runEventsChannel(checkSchemaName(options.schema ?? "sagaql"));
  }

  /**
   * Connects and starts listening. A connection lost or refused while connecting (a restarting or failing-over
   * database) is waited out, as the journal's own open does, so an app starting in the middle of one still
   * starts; a database that stays unreachable fails the open.
   */
  static async open(options: PostgresRunEventFeedOptions): Promise<PostgresRunEventFeed> {
    const feed = new PostgresRunEventFeed(options);
    await waitOutTransient(() => feed.#connect(), { forMs: OPEN_WAIT_MS });
    return feed;
  }

  /** True while the listening connection is up. */
  get listening(): boolean {
    return this.#client !== undefined;
  }

  get subscriberCount(): number {
    return this.#local.subscriberCount;
  }

  subscribe(runId: string, listener: RunEventListener): () => void {
    return this.#local.subscribe(runId, listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#reconnectTimer);
    const client = this.#client;
    this.#client = undefined;
    await this.#local.close();
    await client?.end().catch(() => undefined);
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.#options.connectionString,
      application_name: this.#options.applicationName ?? "sagaql-run-events",
    });
    // Without a listener, the error of a dropped connection would crash the process.
    client.on("error", (error) => this.#lost(client, error));
    client.on("end", () => this.#lost(client));
    client.on("notification", (message) => this.#deliver(message));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.#closed) return void (await client.end().catch(() => undefined));
    this.#client = client;
  }

  #deliver(message: pg.Notification): void {
    if (message.channel !== this.channel || !message.payload) return;
    const separator = message.payload.lastIndexOf(":");
    if (separator < 0) return this.#local.publish(message.payload);
    const seq = Number(message.payload.slice(separator + 1));
    this.#local.publish(message.payload.slice(0, separator), Number.isFinite(seq) ? seq : undefined);
  }

  #lost(client: pg.Client, error?: Error): void {
    // 'error' and 'end' both fire for one loss; only the connection in use matters.
    if (this.#closed || this.#client !== client) return;
    this.#client = undefined;
    client.end().catch(() => undefined);
    this.#logger.warn(
      { err: error?.message, channel: this.channel },
      "run event feed lost its connection; reconnecting",
    );
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    const first = this.#options.reconnectDelayMs ?? 100;
    const delay = Math.min(first * 2 ** this.#failures, this.#options.maxReconnectDelayMs ?? 5000);
    this.#reconnectTimer = setTimeout(() => void this.#reconnect(), delay);
  }

  async #reconnect(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#connect();
      this.#failures = 0;
      this.#local.publishAll();
    } catch (error) {
      this.#failures += 1;
      this.#logger.warn(
        { err: (error as Error).message, attempt: this.#failures },
        "run event feed could not reconnect; retrying",
      );
      this.#scheduleReconnect();
    }
  }
}
