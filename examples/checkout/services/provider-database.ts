import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Opens the private SQLite file of a simulated third-party provider. It is deliberately not our app
 * database: a real provider's records survive our transaction rollbacks and our crashes, and so do these.
 * WAL and a busy timeout let several server processes share one provider file, as they would share an API.
 */
export function openProviderDatabase(file: string, schema: string): Database.Database {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("busy_timeout = 5000");
  db.exec(schema);
  return db;
}

export function newId(prefix: string): string {
  return `${prefix}_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
}
