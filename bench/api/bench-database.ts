import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { freshDatabase, type FreshDatabase, type Provider } from "../../test/helpers/fresh-database.ts";

export type { Provider } from "../../test/helpers/fresh-database.ts";

/**
 * A fresh database (and data folder) for one contender. `migrated: false` leaves it empty, as a fresh install has
 * it, for `npm start` to migrate; `migrated: true` applies the example's migrations' SQL, as they would leave it.
 */
export async function benchDatabase(
  provider: Provider,
  root: string,
  options: { migrated: boolean },
): Promise<FreshDatabase> {
  const database = await freshDatabase(provider);
  try {
    if (options.migrated) await migrate(provider, database.url, join(root, "prisma", provider, "migrations"));
    return database;
  } catch (error) {
    await database.remove();
    throw error;
  }
}

async function migrate(provider: Provider, url: string, migrationsDir: string): Promise<void> {
  const sql = await migrationSql(migrationsDir);
  if (provider === "sqlite") {
    const file = new Database(url.replace(/^file:/, ""));
    try {
      file.pragma("journal_mode = WAL");
      file.exec(sql);
    } finally {
      file.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function migrationSql(migrationsDir: string): Promise<string> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const folders = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const scripts = await Promise.all(
    folders.map((folder) => readFile(join(migrationsDir, folder, "migration.sql"), "utf8")),
  );
  return scripts.join("\n;\n");
}
