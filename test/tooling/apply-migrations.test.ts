/**
 * `applyMigrations` at startup: the Prisma CLI migrates a database that needs it, and is not started at all
 * when the database already records every migration of the folder unchanged. Each case runs on a copy of the
 * checkout example's schema folder, so a test can add or edit a migration.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { appendFile, mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { applyMigrations } from "../../src/tooling/apply-migrations.ts";
import { PrismaCliError } from "../../src/tooling/run-prisma-cli.ts";
import { freshDatabase, type FreshDatabase, type Provider } from "../helpers/fresh-database.ts";
import { PROJECT_ROOT } from "../helpers/npm-start.ts";

/** Runs one statement on the database `url` names and returns its rows. */
async function query(url: string, sql: string): Promise<Array<Record<string, unknown>>> {
  if (!url.startsWith("postgres")) {
    const db = new Database(url.replace(/^file:/, ""));
    try {
      const statement = db.prepare(sql);
      return statement.reader ? (statement.all() as Array<Record<string, unknown>>) : (statement.run(), []);
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as Array<Record<string, unknown>>;
  } finally {
    await client.end();
  }
}

describe.each<Provider>(["sqlite", "postgresql"])("applyMigrations on %s", (provider) => {
  let database: FreshDatabase | undefined;
  let schemaDir: string | undefined;
  afterEach(async () => {
    await database?.remove();
    if (schemaDir) rmSync(schemaDir, { recursive: true, force: true });
    database = schemaDir = undefined;
  });

  /** A fresh database and a copy of the example's schema folder to migrate it with. */
  async function setUp() {
    database = await freshDatabase(provider);
    schemaDir = mkdtempSync(join(tmpdir(), "sagaql-migrations-"));
    cpSync(join(PROJECT_ROOT, "prisma", provider), schemaDir, { recursive: true });
    const url = database.url;
    const migrationsDir = join(schemaDir, "migrations");
    const apply = () => applyMigrations({ url, schemaPath: join(schemaDir!, "schema.prisma"), cwd: PROJECT_ROOT });
    return { url, migrationsDir, apply };
  }

  it("runs the CLI on a fresh database, then skips it while nothing is pending, and runs it again for a new migration", async () => {
    const { url, migrationsDir, apply } = await setUp();

    const first = await apply();
    expect(first.ranCli).toBe(true);
    expect(first.output).toContain("All migrations have been successfully applied.");
    expect(
      await query(url, "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL"),
    ).toHaveLength(committedMigrations(migrationsDir));

    expect(await apply()).toEqual({ ranCli: false, output: "No pending migrations to apply." });

    await mkdir(join(migrationsDir, "29990101000000_extra"));
    await writeFile(
      join(migrationsDir, "29990101000000_extra", "migration.sql"),
      'CREATE TABLE "Extra" ("id" INTEGER NOT NULL PRIMARY KEY);\n',
    );
    const third = await apply();
    expect(third.ranCli).toBe(true);
    expect(third.output).toContain("29990101000000_extra");
    expect(await query(url, 'SELECT * FROM "Extra"')).toEqual([]);

    expect((await apply()).ranCli).toBe(false);
  }, 90_000);

  it("leaves a failed migration or an edited one to the CLI", async () => {
    const { url, migrationsDir, apply } = await setUp();
    await apply();
    const init = (await query(url, "SELECT migration_name FROM _prisma_migrations ORDER BY migration_name"))[0]!
      .migration_name as string;

    // Recorded as started and never finished: the CLI refuses to go on, and says why.
    await query(url, `UPDATE _prisma_migrations SET finished_at = NULL WHERE migration_name = '${init}'`);
    await expect(apply()).rejects.toBeInstanceOf(PrismaCliError);
    await query(url, `UPDATE _prisma_migrations SET finished_at = started_at WHERE migration_name = '${init}'`);
    expect((await apply()).ranCli).toBe(false);

    // The checksum no longer matches: the CLI decides what that means, as it did before the shortcut.
    await appendFile(join(migrationsDir, init, "migration.sql"), "\n-- edited after it was applied\n");
    expect((await apply()).ranCli).toBe(true);
  }, 90_000);
});

/** The example's migrations as committed: one folder each. */
function committedMigrations(migrationsDir: string): number {
  return readdirSync(migrationsDir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).length;
}
