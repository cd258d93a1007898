import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import type { DurableRunJournal, DurableRunJournalOptions } from "./durable-run-journal-options.ts";
import { PostgresRunJournal } from "./postgres/postgres-run-journal.ts";
import { SqliteRunJournal } from "./sqlite/sqlite-run-journal.ts";

export interface OpenRunJournalOptions extends DurableRunJournalOptions {
  /** PostgreSQL only: the schema of the journal's tables. @default "sagaql" */
  schema?: string;
  /** PostgreSQL only: connections of the journal's own pool. @default 10 */
  maxConnections?: number;
  /** SQLite only: how long a write waits for another process's write lock, in ms. @default 5000 */
  busyTimeoutMs?: number;
  /** SQLite only: see `SqliteRunJournalOptions.synchronous`. @default "FULL" */
  synchronous?: "FULL" | "NORMAL";
}

const POSTGRES_URL = /^postgres(ql)?:\/\//i;

/**
 * Opens the run journal that goes with the app database at `databaseUrl` (the app's DATABASE_URL):
 *
 * - `postgresql://…` / `postgres://…`: a `PostgresRunJournal` in the same database, tables in schema `sagaql`,
 *   on a pool of its own (Prisma's `?schema=` and other query parameters are ignored).
 * - anything else is a SQLite file (`file:` URL or path, relative to the working directory): a `SqliteRunJournal`
 *   in a file next to it, named by `journalPathFor` — `data/app.db` → `data/app.journal.db`. SQLite has one
 *   writer per file, and the app's file is locked while a transactional workflow runs.
 */
export async function openRunJournal(
  databaseUrl: string,
  options: OpenRunJournalOptions = {},
): Promise<DurableRunJournal> {
  if (POSTGRES_URL.test(databaseUrl)) return PostgresRunJournal.open({ ...options, connectionString: databaseUrl });
  return new SqliteRunJournal({ ...options, filename: journalPathFor(databaseUrl) });
}

/**
 * The journal file for a SQLite app database: `.journal` goes before the extension (`data/app.db` →
 * `data/app.journal.db`, `dev.sqlite` → `dev.journal.sqlite`, `data/app` → `data/app.journal.db`). A path that
 * already names a journal (`….journal.db`) is kept, and `:memory:` stays in memory.
 */
export function journalPathFor(databaseUrl: string): string {
  const path = sqlitePath(databaseUrl);
  if (path === ":memory:") return path;
  const extension = extname(path);
  const stem = path.slice(0, path.length - extension.length);
  if (extname(stem) === ".journal") return path;
  return extension === "" ? `${path}.journal.db` : `${stem}.journal${extension}`;
}

function sqlitePath(databaseUrl: string): string {
  if (databaseUrl.startsWith("file://")) return fileURLToPath(databaseUrl.split("?")[0]!);
  const path = databaseUrl.startsWith("file:") ? databaseUrl.slice("file:".length).split("?")[0]! : databaseUrl;
  if (path === "") throw new Error(`"${databaseUrl}" names no SQLite file`);
  return path;
}
