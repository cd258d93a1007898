/**
 * Adding a relation to an app that already holds rows: an optional `belongsTo` (and the `hasMany` facing it) on
 * existing tables. The change's migration must keep every row (on PostgreSQL an ALTER TABLE; SQLite cannot add a
 * foreign key to a table, so it rebuilds it and copies the rows), and the new foreign key must hold afterwards.
 */
import { mkdtempSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterEach, describe, expect, test } from "vitest";
import { belongsTo, entity, hasMany, string } from "../../src/index.ts";
import { applyMigrations } from "../../src/tooling/apply-migrations.ts";
import { migrationsDirOf, schemaPathOf, type PrismaApp } from "../../src/tooling/prisma-app.ts";
import { syncPrismaApp } from "../../src/tooling/sync-prisma-app.ts";
import { ROOT } from "../../scripts/prisma-apps.ts";
import { freshDatabase, type Provider } from "../helpers/fresh-database.ts";

const v1Entities = [entity("customer", { name: string }), entity("trip", { destination: string })];
const v2Entities = [
  entity("customer", { name: string, trips: hasMany("trip") }),
  entity("trip", { destination: string, customer: belongsTo("customer").optional() }),
];

interface Sql {
  run(sql: string): Promise<void>;
  rows(sql: string): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

async function connect(provider: Provider, url: string): Promise<Sql> {
  if (provider === "sqlite") {
    const db = new Database(url.replace(/^file:/, ""));
    db.pragma("foreign_keys = ON");
    return {
      run: async (sql) => void db.exec(sql),
      rows: async (sql) => db.prepare(sql).all() as Array<Record<string, unknown>>,
      close: async () => void db.close(),
    };
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    run: async (sql) => void (await client.query(sql)),
    rows: async (sql) => (await client.query(sql)).rows as Array<Record<string, unknown>>,
    close: () => client.end(),
  };
}

describe.each<Provider>(["sqlite", "postgresql"])(
  "adding an optional relation to a %s database that has rows",
  { timeout: 120_000 },
  (provider) => {
    const cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    test("keeps every row, leaves their foreign keys null, and enforces the key from then on", async () => {
      const dir = mkdtempSync(join(tmpdir(), "sagaql-migrate-relation-"));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      const app = (entities: PrismaApp["entities"]): PrismaApp => ({
        name: "scratch",
        entities,
        prismaDir: join(dir, "prisma"),
        generatedDir: join(dir, "generated"),
        providers: [provider],
      });
      const database = await freshDatabase(provider);
      cleanups.push(() => database.remove());
      const migrate = (version: PrismaApp) =>
        applyMigrations({ url: database.url, schemaPath: schemaPathOf(version, provider), cwd: ROOT });

      await syncPrismaApp(app(v1Entities), { cwd: ROOT, now: new Date("2026-01-01T00:00:00Z") });
      await migrate(app(v1Entities));
      const sql = await connect(provider, database.url);
      cleanups.push(() => sql.close());
      await sql.run(`INSERT INTO "Customer" ("id", "name", "updatedAt") VALUES ('c1', 'Ada', CURRENT_TIMESTAMP)`);
      await sql.run(
        `INSERT INTO "Trip" ("id", "destination", "updatedAt") VALUES ('t1', 'Lisbon', CURRENT_TIMESTAMP), ('t2', 'Oslo', CURRENT_TIMESTAMP)`,
      );

      await syncPrismaApp(app(v2Entities), { cwd: ROOT, now: new Date("2026-02-01T00:00:00Z") });
      const migration = await readFile(
        join(migrationsDirOf(app(v2Entities), provider), "20260201000000_update", "migration.sql"),
        "utf8",
      );
      expect(migration).not.toMatch(/DROP TABLE "Customer"/);
      if (provider === "postgresql") {
        expect(migration).toMatch(/ALTER TABLE "Trip" ADD COLUMN +"customerId" TEXT;/);
        expect(migration).not.toMatch(/DROP TABLE/);
      } else {
        // SQLite's rebuild: the rows are copied into the new table before the old one goes.
        expect(migration).toMatch(/INSERT INTO "new_Trip" \("createdAt", "destination", "id", "updatedAt"\) SELECT/);
      }
      expect(migration).toMatch(/CREATE INDEX "Trip_customerId_idx"/);
      expect((await migrate(app(v2Entities))).output).toContain("20260201000000_update");

      expect(await sql.rows(`SELECT "id", "destination", "customerId" FROM "Trip" ORDER BY "id"`)).toEqual([
        { id: "t1", destination: "Lisbon", customerId: null },
        { id: "t2", destination: "Oslo", customerId: null },
      ]);
      expect(await sql.rows(`SELECT "id", "name" FROM "Customer"`)).toEqual([{ id: "c1", name: "Ada" }]);
      await sql.run(`UPDATE "Trip" SET "customerId" = 'c1' WHERE "id" = 't1'`);
      await expect(sql.run(`UPDATE "Trip" SET "customerId" = 'nobody' WHERE "id" = 't2'`)).rejects.toThrow(
        /foreign key/i,
      );
    });
  },
);
