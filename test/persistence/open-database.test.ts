/**
 * Opening an app's database from a URL, and applying its migrations with `prisma migrate deploy`
 * (what `npm start` does), on SQLite and PostgreSQL.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, test } from "vitest";
import { PrismaClient as PostgresClient } from "../../generated/fixtures/postgresql/client/client.ts";
import { PrismaClient as SqliteClient } from "../../generated/fixtures/sqlite/client/client.ts";
import { applyMigrations } from "../../src/tooling/apply-migrations.ts";
import { openDatabase, providerOf } from "../../src/persistence/prisma/open-database.ts";
import { ROOT } from "../../scripts/prisma-apps.ts";
import { createSqliteTestDatabase } from "../helpers/test-database.ts";

const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const SQLITE_SCHEMA = "test/fixtures/prisma/sqlite/schema.prisma";
const POSTGRES_SCHEMA = "test/fixtures/prisma/postgresql/schema.prisma";

test("providerOf reads the provider from the URL scheme", () => {
  expect(providerOf("postgresql://u@h/db")).toBe("postgresql");
  expect(providerOf("postgres://u@h/db")).toBe("postgresql");
  expect(providerOf("file:./data/app.db")).toBe("sqlite");
  expect(providerOf("/var/data/app.db")).toBe("sqlite");
});

test("every SQLite connection runs in WAL mode with synchronous FULL and a busy timeout", async () => {
  const db = await createSqliteTestDatabase({ busyTimeout: 1234 });
  try {
    const pragma = async (name: string) =>
      Object.values((await db.prisma.$queryRawUnsafe<Array<Record<string, unknown>>>(`PRAGMA ${name}`))[0]!)[0];
    expect(await pragma("journal_mode")).toBe("wal");
    expect(Number(await pragma("synchronous"))).toBe(2); // FULL
    expect(Number(await pragma("busy_timeout"))).toBe(1234);
  } finally {
    await db.close();
  }
});

describe("applyMigrations", { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "sagaql-migrate-"));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test("creates a missing SQLite file and its folder, applies the migrations once, and the app can use it", async () => {
    const url = `file:${join(dir, "nested", "app.db")}`;
    expect((await applyMigrations({ url, schemaPath: SQLITE_SCHEMA, cwd: ROOT })).output).toContain(
      "have been applied",
    );
    expect((await applyMigrations({ url, schemaPath: SQLITE_SCHEMA, cwd: ROOT })).output).toContain(
      "No pending migrations",
    );

    const db = await openDatabase(url, SqliteClient);
    try {
      expect(db.provider).toBe("sqlite");
      await db.driver.create("user", { email: "m@x", name: "M" });
      expect(await db.driver.count("user")).toBe(1);
    } finally {
      await db.close();
    }
  });

  test("applies the migrations to an empty PostgreSQL database, and the app can use it", async () => {
    const name = `sagaql_migrate_${randomUUID().replaceAll("-", "")}`;
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    try {
      expect((await applyMigrations({ url: url.toString(), schemaPath: POSTGRES_SCHEMA, cwd: ROOT })).output).toContain(
        "have been applied",
      );
      const db = await openDatabase(url.toString(), PostgresClient);
      try {
        expect(db.provider).toBe("postgresql");
        await db.driver.create("note", { title: "t", body: "b" });
        expect(await db.driver.findOne("note", { title: "t" })).toMatchObject({ tags: ["draft", "it's"] });
      } finally {
        await db.close();
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  });
});
