import type { DurableRunJournal } from "../engine/journal/durable-run-journal.ts";
import type { Logger } from "../engine/logger.ts";
import type { RunEventFeed } from "../engine/journal/run-event-feed.ts";
import { PostgresRunEventFeed } from "./postgres/postgres-run-event-feed.ts";
import { SqliteRunEventFeed } from "./sqlite/sqlite-run-event-feed.ts";

export interface OpenRunEventFeedOptions {
  /** The journal `openRunJournal(databaseUrl)` opened; the SQLite feed reads it. */
  store: Pick<DurableRunJournal, "listEvents">;
  /** PostgreSQL only: the journal's schema, whose channel is listened on. @default "sagaql" */
  schema?: string;
  /** SQLite only: how often the journal is read while someone is subscribed, in ms. @default 50 */
  pollIntervalMs?: number;
  /** @default consoleLogger */
  logger?: Logger;
}

const POSTGRES_URL = /^postgres(ql)?:\/\//i;

/**
 * The live progress feed that goes with the journal `openRunJournal(databaseUrl)` opens: `LISTEN` on PostgreSQL
 * (its own connection), polling of the journal file on SQLite. Either sees the runs of every instance sharing
 * the database. Close it before the store.
 */
export async function openRunEventFeed(databaseUrl: string, options: OpenRunEventFeedOptions): Promise<RunEventFeed> {
  if (POSTGRES_URL.test(databaseUrl)) {
    return PostgresRunEventFeed.open({ connectionString: databaseUrl, schema: options.schema, logger: options.logger });
  }
  return new SqliteRunEventFeed({ store: options.store, intervalMs: options.pollIntervalMs, logger: options.logger });
}
