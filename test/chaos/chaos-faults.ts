import Sqlite from "better-sqlite3";
import { setTimeout as sleep } from "node:timers/promises";
import { killConnections } from "../helpers/kill-connections.ts";

/** `times` rounds of `pg_terminate_backend` on every connection of the app's database, `gapMs` apart. */
export async function terminateConnectionsRepeatedly(
  databaseUrl: string,
  times: number,
  gapMs: number,
): Promise<number> {
  let killed = 0;
  for (let round = 0; round < times; round++) {
    if (round > 0) await sleep(gapMs);
    killed += await killConnections(databaseUrl);
  }
  return killed;
}

/**
 * Holds SQLite's single write lock on `file` for `ms`, as another writer on the same file would (a migration, a
 * batch job, a second instance): the app's transactions and journal writes must wait it out.
 */
export async function holdSqliteWriteLock(file: string, ms: number): Promise<void> {
  const db = new Sqlite(file, { timeout: 10_000 });
  try {
    db.exec("BEGIN IMMEDIATE");
    await sleep(ms);
    db.exec("ROLLBACK");
  } finally {
    db.close();
  }
}
