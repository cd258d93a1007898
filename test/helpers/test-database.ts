/**
 * Real, throw-away databases for tests: a fresh SQLite file or a fresh PostgreSQL database, with an app's
 * migrations applied by executing their SQL directly (milliseconds, instead of seconds for the Prisma CLI).
 * `close()` disconnects and deletes it.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import pg from "pg";
import { PrismaClient as PostgresFixturesClient } from "../../generated/fixtures/postgresql/client/client.ts";
import { PrismaClient as SqliteFixturesClient } from "../../generated/fixtures/sqlite/client/client.ts";
import {
  openDatabase,
  type OpenDatabaseOptions,
  type PrismaClientClass,
} from "../../src/persistence/prisma/open-database.ts";
import type { PrismaDriver } from "../../src/persistence/prisma/prisma-driver.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const FIXTURE_MIGRATIONS = {
  sqlite: join(ROOT, "test/fixtures/prisma/sqlite/migrations"),
  postgresql: join(ROOT, "test/fixtures/prisma/postgresql/migrations"),
};

/** Where to create test databases; `TEST_POSTGRES_URL` overrides it. The database named in it must exist. */
const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

export type SqliteFixturesPrismaClient = InstanceType<typeof SqliteFixturesClient>;
export type PostgresFixturesPrismaClient = InstanceType<typeof PostgresFixturesClient>;

export interface TestDatabase<Client = SqliteFixturesPrismaClient> {
  url: string;
  driver: PrismaDriver;
  prisma: Client;
  /** Disconnects and deletes the database. Safe to call twice. */
  close(): Promise<void>;
}

type Client = { $connect(): Promise<void>; $disconnect(): Promise<void>; $transaction(...args: never[]): unknown };

export interface TestDatabaseOptions<C> extends OpenDatabaseOptions {
  /** The migrations folder of the app (`…/prisma/<provider>/migrations`). */
  migrationsDir: string;
  /** The app's generated PrismaClient for that provider. */
  PrismaClient: PrismaClientClass<C>;
}

/** A fresh SQLite file with the test fixtures' migrations applied. */
export function createSqliteTestDatabase(
  options: OpenDatabaseOptions = {},
): Promise<TestDatabase<SqliteFixturesPrismaClient>> {
  return createSqliteDatabaseFor({
    ...options,
    migrationsDir: FIXTURE_MIGRATIONS.sqlite,
    PrismaClient: SqliteFixturesClient,
  });
}

/** A fresh, uniquely named PostgreSQL database with the test fixtures' migrations applied; dropped on close. */
export function createPostgresTestDatabase(
  options: OpenDatabaseOptions = {},
): Promise<TestDatabase<PostgresFixturesPrismaClient>> {
  return createPostgresDatabaseFor({
    ...options,
    migrationsDir: FIXTURE_MIGRATIONS.postgresql,
    PrismaClient: PostgresFixturesClient,
  });
}

/** Any app's SQLite test database (the checkout example's: `prisma/sqlite/migrations` and its client). */
export async function createSqliteDatabaseFor<C extends Client>(
  options: TestDatabaseOptions<C>,
): Promise<TestDatabase<C>> {
  const dir = mkdtempSync(join(tmpdir(), "sagaql-test-"));
  const url = `file:${join(dir, "test.db")}`;
  const file = new Database(join(dir, "test.db"));
  try {
    file.pragma("journal_mode = WAL");
    file.exec(await migrationSql(options.migrationsDir));
  } finally {
    file.close();
  }
  const { migrationsDir: _dir, PrismaClient, ...open } = options;
  const database = await openDatabase(url, PrismaClient, open);
  return withCleanup(url, database, () => rm(dir, { recursive: true, force: true }));
}

/** Any app's PostgreSQL test database. */
export async function createPostgresDatabaseFor<C extends Client>(
  options: TestDatabaseOptions<C>,
): Promise<TestDatabase<C>> {
  const name = `sagaql_test_${randomUUID().replaceAll("-", "")}`;
  await admin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = databaseUrl(name);
  const drop = () =>
    admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined);
  try {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(await migrationSql(options.migrationsDir));
    } finally {
      await client.end();
    }
    const { migrationsDir: _dir, PrismaClient, ...open } = options;
    return withCleanup(url, await openDatabase(url, PrismaClient, open), drop);
  } catch (error) {
    await drop();
    throw error;
  }
}

function withCleanup<C>(
  url: string,
  database: { prisma: C; driver: PrismaDriver; close(): Promise<void> },
  remove: () => Promise<void>,
): TestDatabase<C> {
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      try {
        await database.close();
      } finally {
        await remove();
      }
    })());
  return { url, driver: database.driver, prisma: database.prisma, close };
}

/** Every migration's SQL, oldest first, as one script. */
async function migrationSql(migrationsDir: string): Promise<string> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const folders = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  if (folders.length === 0) throw new Error(`No migrations in ${migrationsDir}: run npm run db:generate`);
  const scripts = await Promise.all(
    folders.map((folder) => readFile(join(migrationsDir, folder, "migration.sql"), "utf8")),
  );
  return scripts.join("\n;\n");
}

function databaseUrl(name: string): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
