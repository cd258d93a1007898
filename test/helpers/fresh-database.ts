import pg from "pg";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** An existing database to connect to while creating and dropping the test ones. */
const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export type Provider = "sqlite" | "postgresql";

export interface FreshDatabase {
  /** A DATABASE_URL naming an empty database: nothing migrated, nothing seeded. */
  url: string;
  /** An empty temp folder for the app's other files (the simulated providers'). */
  dataDir: string;
  /** Drops the database and deletes the folder. */
  remove(): Promise<void>;
}

/** An empty database, as a fresh install would have: for tests that go through the real startup (migrations and all). */
export async function freshDatabase(provider: Provider): Promise<FreshDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), "sagaql-app-"));
  const removeDir = () => rmSync(dataDir, { recursive: true, force: true });
  if (provider === "sqlite") {
    return { url: `file:${join(dataDir, "app.db")}`, dataDir, remove: async () => removeDir() };
  }
  const name = `sagaql_app_${randomUUID().replaceAll("-", "")}`;
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dataDir,
    remove: async () => {
      await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      removeDir();
    },
  };
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
