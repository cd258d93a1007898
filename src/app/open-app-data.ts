import { mkdir } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { instrumentRunJournal } from "../observability/instrument-run-journal.ts";
import { RunMetrics } from "../observability/run-metrics.ts";
import { RunTracing } from "../observability/run-tracing.ts";
import { openDatabase, providerOf, type Database } from "../persistence/prisma/open-database.ts";
import { openRunEventFeed } from "../persistence/open-run-event-feed.ts";
import { openRunJournal } from "../persistence/open-run-journal.ts";
import type { DurableRunJournal } from "../engine/journal/durable-run-journal.ts";
import { announcingRunJournal, type RunEventFeed } from "../engine/journal/run-event-feed.ts";
import { newRunOwner } from "../engine/recovery/run-owner.ts";
import type { Logger } from "../server/create-logger.ts";
import type { RecoveryConfig } from "./define-config.ts";
import type { AppPrismaClient, GeneratedClient } from "./load-generated-client.ts";

export interface AppDataOptions {
  generated: GeneratedClient;
  databaseUrl: string;
  logger: Logger;
  recovery?: RecoveryConfig;
  wrapRunJournal?: (store: DurableRunJournal) => DurableRunJournal;
}

/** The app's data: its database, its run journal (instrumented), and the live-progress feed over that journal. */
export interface AppData {
  generated: GeneratedClient;
  database: Database<AppPrismaClient>;
  store: DurableRunJournal;
  runEvents: RunEventFeed;
  metrics: RunMetrics;
  /** Closes the feed, then the journal, then the database. */
  close(): Promise<void>;
}

/** Opens everything in order; what was opened before a failure is closed again. */
export async function openAppData(options: AppDataOptions): Promise<AppData> {
  const { generated } = options;
  await createSqliteFolder(options.databaseUrl);
  const opened: Array<{ close?(): Promise<void> | void }> = [];
  try {
    const database = await openDatabase(options.databaseUrl, generated.PrismaClient);
    opened.push(database);
    const owner = newRunOwner(options.recovery?.instanceId ?? (process.env.SAGAQL_INSTANCE_ID || undefined));
    const journal = await openRunJournal(options.databaseUrl, { leaseMs: options.recovery?.leaseMs, owner });
    opened.push(journal);
    const metrics = new RunMetrics();
    const instrumented = instrumentRunJournal(
      options.wrapRunJournal ? options.wrapRunJournal(journal) : journal,
      metrics,
      new RunTracing(),
    );
    const runEvents = await openRunEventFeed(options.databaseUrl, { store: instrumented, logger: options.logger });
    // Subscribers in this process hear of the runs it executes at once, not at the feed's next poll.
    const store = announcingRunJournal(instrumented, runEvents);
    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        await runEvents.close();
        await store.close?.();
        await database.close();
      })());
    return { generated, database, store, runEvents, metrics, close };
  } catch (error) {
    for (const resource of opened.reverse()) await resource.close?.();
    throw error;
  }
}

/** SQLite creates a missing file but not its folder. */
async function createSqliteFolder(databaseUrl: string): Promise<void> {
  if (providerOf(databaseUrl) !== "sqlite") return;
  const path = databaseUrl.replace(/^file:(\/\/)?/, "");
  if (path === ":memory:") return;
  await mkdir(dirname(isAbsolute(path) ? path : resolve(path)), { recursive: true });
}
