import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll } from "vitest";

/** The PostgreSQL the suite runs against; each test file works in schemas of its own and drops them. */
export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

let schemas = 0;
/** A schema name no other test file or run uses at the same time. */
export function uniqueSchemaName(label: string): string {
  return `${label}_${process.pid}_${Date.now().toString(36)}_${schemas++}`.toLowerCase();
}

/** A pool for test set-up and clean-up, ended after the file's tests. */
export function adminPool(): pg.Pool {
  const pool = new pg.Pool({ connectionString: TEST_POSTGRES_URL, max: 2 });
  afterAll(() => pool.end());
  return pool;
}

/** A directory for the file's SQLite databases, deleted after its tests. */
export function temporaryDirectory(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `sagaql-${label}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
