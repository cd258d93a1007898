import { randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import pg from "pg";

/** The server the benchmark creates its throw-away databases on; `BENCH_POSTGRES_URL` overrides it. */
const ADMIN_URL =
  process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

export interface BenchDatabases {
  /** The app database: the checkout example's tables, migrated; sagaql's journal goes in its schema `sagaql`. */
  appUrl: string;
  /** DBOS's system database, on the same server (DBOS creates it on launch). */
  dbosSystemUrl: string;
  /** Drops both. */
  drop(): Promise<void>;
}

/** A fresh app database with the example's PostgreSQL migrations applied, and the name of DBOS's system database. */
export async function createBenchDatabases(migrationsDir: string): Promise<BenchDatabases> {
  const name = `sagaql_bench_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const names = [name, `${name}_dbos_sys`];
  await admin(`CREATE DATABASE "${name}"`);
  const appUrl = urlOf(name);
  const drop = async () => {
    for (const each of names) await admin(`DROP DATABASE IF EXISTS "${each}" WITH (FORCE)`);
  };
  try {
    await withClient(appUrl, async (client) => client.query(await migrationSql(migrationsDir)));
  } catch (error) {
    await drop();
    throw error;
  }
  return { appUrl, dbosSystemUrl: urlOf(names[1]!), drop };
}

export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function urlOf(database: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin(sql: string): Promise<void> {
  await withClient(ADMIN_URL, (client) => client.query(sql));
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
