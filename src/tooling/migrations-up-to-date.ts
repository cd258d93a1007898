import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import type { PrismaProvider } from "./generate-prisma-schema.ts";

/** One row of Prisma's `_prisma_migrations` table, as far as deciding whether anything is left to do goes. */
interface AppliedMigration {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

const APPLIED_SQL = "SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations";

/**
 * Whether the database already has every migration of `migrationsDir` applied, exactly as `prisma migrate
 * deploy` would leave it: each folder's name recorded as finished and not rolled back, with the SHA-256 of its
 * `migration.sql` as checksum, and nothing else recorded (no failed migration, none unknown here). Anything
 * unusual — no database yet, no table, a folder without SQL, a lock file for another provider, an error
 * reading — answers false, so that the CLI decides and reports it as it always has.
 */
export async function migrationsUpToDate(
  url: string,
  migrationsDir: string,
  provider: PrismaProvider,
): Promise<boolean> {
  try {
    const local = await localChecksums(migrationsDir, provider);
    if (local === undefined) return false;
    const applied = await readApplied(url, provider);
    return applied !== undefined && matches(local, applied);
  } catch {
    return false;
  }
}

/** Folder name to checksum of its `migration.sql`; undefined when the folder is not one `migrate deploy` would take as is. */
async function localChecksums(
  migrationsDir: string,
  provider: PrismaProvider,
): Promise<Map<string, string> | undefined> {
  const lock = await readFile(join(migrationsDir, "migration_lock.toml"), "utf8");
  if (!new RegExp(`^provider\\s*=\\s*"${provider}"`, "m").test(lock)) return undefined;
  const folders = (await readdir(migrationsDir, { withFileTypes: true })).filter((entry) => entry.isDirectory());
  const checksums = new Map<string, string>();
  for (const folder of folders) {
    const sqlPath = join(migrationsDir, folder.name, "migration.sql");
    if (!existsSync(sqlPath)) return undefined;
    checksums.set(
      folder.name,
      createHash("sha256")
        .update(await readFile(sqlPath))
        .digest("hex"),
    );
  }
  return checksums;
}

function matches(local: Map<string, string>, applied: readonly AppliedMigration[]): boolean {
  const done = new Map<string, string>();
  for (const row of applied) {
    if (row.rolled_back_at !== null) continue;
    // A migration that started and never finished is a failed one: the CLI refuses to go on, and says why.
    if (row.finished_at === null) return false;
    done.set(row.migration_name, row.checksum);
  }
  if (done.size !== local.size) return false;
  for (const [name, checksum] of local) if (done.get(name) !== checksum) return false;
  return true;
}

/** The table's rows; undefined when the database or the table does not exist yet. */
async function readApplied(url: string, provider: PrismaProvider): Promise<AppliedMigration[] | undefined> {
  return provider === "sqlite" ? readAppliedSqlite(url.replace(/^file:/, "")) : readAppliedPostgres(url);
}

function readAppliedSqlite(path: string): AppliedMigration[] | undefined {
  if (!existsSync(path)) return undefined;
  const db = new Database(path, { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'").get();
    return table === undefined ? undefined : (db.prepare(APPLIED_SQL).all() as AppliedMigration[]);
  } finally {
    db.close();
  }
}

async function readAppliedPostgres(url: string): Promise<AppliedMigration[] | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  // A connection lost mid-query fails that query; without a listener it would also crash the process.
  client.on("error", () => undefined);
  await client.connect();
  try {
    const table = await client.query("SELECT to_regclass('_prisma_migrations') AS name");
    if (table.rows[0]?.name === null) return undefined;
    return (await client.query<AppliedMigration>(APPLIED_SQL)).rows;
  } finally {
    await client.end();
  }
}
