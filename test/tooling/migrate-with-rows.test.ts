/**
 * Migrating a database that already holds rows, as every upgrade of a deployed app does: a scratch app's first
 * migration is applied with `prisma migrate deploy`, rows are written, the entities change, and the migration
 * `syncPrismaApp` writes for the change is applied on top. The rows must come through it unchanged.
 */
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterEach, describe, expect, test } from "vitest";
import { boolean, entity, float, int, string, text } from "../../src/index.ts";
import { applyMigrations } from "../../src/tooling/apply-migrations.ts";
import { schemaPathOf, type PrismaApp } from "../../src/tooling/prisma-app.ts";
import { syncPrismaApp } from "../../src/tooling/sync-prisma-app.ts";
import { ROOT } from "../../scripts/prisma-apps.ts";
import { freshDatabase, type FreshDatabase, type Provider } from "../helpers/fresh-database.ts";

const v1Entities = [entity("widget", { name: string, colour: string, size: int })];
/**
 * A required column made optional and a unique index (on SQLite both rebuild the table and copy its rows), a
 * column with a default and an optional one added, and a new table.
 */
const v2Entities = [
  entity("widget", {
    name: string.unique(),
    colour: string.optional(),
    size: int,
    weight: float.default(1.5),
    note: text.optional(),
  }),
  entity("gadget", { on: boolean.default(false) }),
];

const ROWS = [
  { id: "w1", name: "bolt", colour: "red", size: 3 },
  { id: "w2", name: "nut", colour: 'it\'s "blue"', size: -(2 ** 31) },
  { id: "w3", name: "gear ⚙", colour: "green", size: 2 ** 31 - 1 },
];

/** Runs SQL on the app database of either provider. */
interface Sql {
  run(sql: string, values?: unknown[]): Promise<void>;
  rows(sql: string): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

async function connect(provider: Provider, url: string): Promise<Sql> {
  if (provider === "sqlite") {
    const db = new Database(url.replace(/^file:/, ""));
    return {
      run: async (sql, values = []) => void db.prepare(sql).run(...values),
      rows: async (sql) => db.prepare(sql).all() as Array<Record<string, unknown>>,
      close: async () => void db.close(),
    };
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    run: async (sql, values = []) => void (await client.query(sql, values)),
    rows: async (sql) => (await client.query(sql)).rows as Array<Record<string, unknown>>,
    close: () => client.end(),
  };
}

describe.each<Provider>(["sqlite", "postgresql"])(
  "migrating a %s database that has rows",
  { timeout: 120_000 },
  (provider) => {
    const cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    test("the rows survive the change's migration, and new columns take their defaults", async () => {
      const dir = mkdtempSync(join(tmpdir(), "sagaql-migrate-rows-"));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      const app = (entities: PrismaApp["entities"]): PrismaApp => ({
        name: "scratch",
        entities,
        prismaDir: join(dir, "prisma"),
        generatedDir: join(dir, "generated"),
        providers: [provider],
      });
      const database: FreshDatabase = await freshDatabase(provider);
      cleanups.push(() => database.remove());
      const migrate = (version: PrismaApp) =>
        applyMigrations({ url: database.url, schemaPath: schemaPathOf(version, provider), cwd: ROOT });

      await syncPrismaApp(app(v1Entities), { cwd: ROOT, now: new Date("2026-01-01T00:00:00Z") });
      expect((await migrate(app(v1Entities))).output).toContain("have been applied");
      const sql = await connect(provider, database.url);
      cleanups.push(() => sql.close());
      const placeholders = provider === "sqlite" ? "?, ?, ?, ?" : "$1, $2, $3, $4";
      for (const row of ROWS) {
        await sql.run(
          `INSERT INTO "Widget" ("id", "name", "colour", "size", "updatedAt") VALUES (${placeholders}, CURRENT_TIMESTAMP)`,
          [row.id, row.name, row.colour, row.size],
        );
      }
      const before = await sql.rows(`SELECT "id", "createdAt" FROM "Widget" ORDER BY "id"`);

      const synced = await syncPrismaApp(app(v2Entities), { cwd: ROOT, now: new Date("2026-02-01T00:00:00Z") });
      expect(synced.find((s) => s.provider === provider)?.migration).toBe("20260201000000_update");
      const output = (await migrate(app(v2Entities))).output;
      expect(output).toContain("20260201000000_update");
      expect(output).toContain("have been applied");

      const after = await sql.rows(
        `SELECT "id", "name", "colour", "size", "weight", "note" FROM "Widget" ORDER BY "id"`,
      );
      expect(after.map((row) => ({ ...row, weight: Number(row.weight) }))).toEqual(
        ROWS.map((row) => ({ ...row, weight: 1.5, note: null })),
      );
      expect(await sql.rows(`SELECT "id", "createdAt" FROM "Widget" ORDER BY "id"`)).toEqual(before);
      expect(
        await sql.rows(
          `SELECT "migration_name" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL ORDER BY "migration_name"`,
        ),
      ).toEqual([{ migration_name: "20260101000000_init" }, { migration_name: "20260201000000_update" }]);
      // What the new schema allows now works on the old rows: a null colour, and the new table.
      await sql.run(`UPDATE "Widget" SET "colour" = NULL WHERE "id" = 'w1'`);
      await sql.run(`INSERT INTO "Gadget" ("id", "updatedAt") VALUES ('g1', CURRENT_TIMESTAMP)`);
      expect(await sql.rows(`SELECT "id", "on" FROM "Gadget"`)).toEqual([
        { id: "g1", on: provider === "sqlite" ? 0 : false },
      ]);
      await expect(
        sql.run(`INSERT INTO "Widget" ("id", "name", "size", "updatedAt") VALUES ('w4', 'bolt', 1, CURRENT_TIMESTAMP)`),
      ).rejects.toThrow(/unique/i);
    });
  },
);
