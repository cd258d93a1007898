import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PrismaProvider } from "./generate-prisma-schema.ts";
import {
  appProviders,
  migrationLockText,
  migrationsDirOf,
  renderAppSchema,
  schemaPathOf,
  type PrismaApp,
} from "./prisma-app.ts";
import { runPrismaCli } from "./run-prisma-cli.ts";

export interface SyncPrismaAppOptions {
  /** Timestamp of a new migration's folder name. @default new Date() */
  now?: Date;
  /** Working directory of the Prisma CLI. @default process.cwd() */
  cwd?: string;
  /** The Prisma config file. @default `prisma.config.ts` in `cwd` */
  config?: string;
}

export interface SyncedSchema {
  provider: PrismaProvider;
  schemaPath: string;
  schemaChanged: boolean;
  /** Folder name of the migration written for the change, if the change touched the database. */
  migration: string | undefined;
}

/**
 * Brings an app's schemas and migrations in line with its entities. A new migration is the SQL diff from
 * the committed schema (the state the existing migrations produce) to the new one, computed offline with
 * `prisma migrate diff` between two schema files: no shadow database, unlike `migrate dev`. The migration is
 * written before the schema, so an interrupted run leaves the old schema in place and the next run redoes it.
 */
export async function syncPrismaApp(app: PrismaApp, options: SyncPrismaAppOptions = {}): Promise<SyncedSchema[]> {
  const results: SyncedSchema[] = [];
  for (const provider of appProviders(app)) results.push(await syncProvider(app, provider, options));
  return results;
}

async function syncProvider(
  app: PrismaApp,
  provider: PrismaProvider,
  options: SyncPrismaAppOptions,
): Promise<SyncedSchema> {
  const schemaPath = schemaPathOf(app, provider);
  const migrationsDir = migrationsDirOf(app, provider);
  const next = renderAppSchema(app, provider);
  const hasMigrations = (await listMigrations(migrationsDir)).length > 0;
  const previous = hasMigrations && existsSync(schemaPath) ? await readFile(schemaPath, "utf8") : undefined;
  if (previous === next) return { provider, schemaPath, schemaChanged: false, migration: undefined };

  const sql = await diffSchemas(previous, next, provider, options.cwd, options.config);
  let migration: string | undefined;
  if (!isEmptyMigration(sql)) {
    migration = `${migrationTimestamp(options.now ?? new Date())}_${hasMigrations ? "update" : "init"}`;
    await mkdir(join(migrationsDir, migration), { recursive: true });
    await writeFile(join(migrationsDir, migration, "migration.sql"), sql);
  }
  await mkdir(migrationsDir, { recursive: true });
  await writeFile(join(migrationsDir, "migration_lock.toml"), migrationLockText(provider));
  await writeFile(schemaPath, next);
  return { provider, schemaPath, schemaChanged: true, migration };
}

/** The SQL from `previous` (or an empty database) to `next`. */
export async function diffSchemas(
  previous: string | undefined,
  next: string,
  provider: PrismaProvider,
  cwd?: string,
  config?: string,
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "sagaql-diff-"));
  try {
    const nextPath = join(dir, "next.prisma");
    await writeFile(nextPath, next);
    const from = ["--from-empty"];
    if (previous !== undefined) {
      await writeFile(join(dir, "previous.prisma"), previous);
      from.splice(0, 1, "--from-schema-datamodel", join(dir, "previous.prisma"));
    }
    const { stdout } = await runPrismaCli(["migrate", "diff", ...from, "--to-schema-datamodel", nextPath, "--script"], {
      schemaPath: nextPath,
      provider,
      offline: true,
      ...(cwd ? { cwd } : {}),
      ...(config ? { config } : {}),
    });
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Migration folders, oldest first (their names start with a sortable timestamp). */
export async function listMigrations(migrationsDir: string): Promise<string[]> {
  if (!existsSync(migrationsDir)) return [];
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

function isEmptyMigration(sql: string): boolean {
  return sql.split("\n").every((line) => line.trim() === "" || line.trim().startsWith("--"));
}

function migrationTimestamp(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, "").slice(0, 14);
}
