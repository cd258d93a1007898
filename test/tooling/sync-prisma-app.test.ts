/**
 * The schema-and-migration pipeline behind `npm run db:generate`, run on a scratch app in a temp folder:
 * an initial migration, a change, and a no-op.
 */
import { existsSync, mkdtempSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { boolean, entity, int, string } from "../../src/index.ts";
import { migrationsDirOf, renderAppSchema, schemaPathOf, type PrismaApp } from "../../src/tooling/prisma-app.ts";
import { diffSchemas, listMigrations, syncPrismaApp } from "../../src/tooling/sync-prisma-app.ts";
import { ROOT } from "../../scripts/prisma-apps.ts";
import { shapeAfter } from "../persistence/database-shape.ts";

const dir = mkdtempSync(join(tmpdir(), "sagaql-sync-"));
const app = (entities: PrismaApp["entities"]): PrismaApp => ({
  name: "scratch",
  entities,
  prismaDir: join(dir, "prisma"),
  generatedDir: join(dir, "generated"),
});
const v1 = app([entity("widget", { name: string })]);
const v2 = app([
  entity("widget", { name: string, size: int.default(1), code: string.unique() }),
  entity("gadget", { on: boolean.default(false) }),
]);

async function migrationScript(provider: "sqlite" | "postgresql"): Promise<string> {
  const migrationsDir = migrationsDirOf(v2, provider);
  const folders = await listMigrations(migrationsDir);
  const scripts = await Promise.all(
    folders.map((folder) => readFile(join(migrationsDir, folder, "migration.sql"), "utf8")),
  );
  return scripts.join("\n;\n");
}

describe("syncPrismaApp", { timeout: 120_000 }, () => {
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test("writes the schemas, a first migration, then one migration per change, and nothing when nothing changed", async () => {
    const first = await syncPrismaApp(v1, { cwd: ROOT, now: new Date("2026-01-01T00:00:00Z") });
    expect(first.map((s) => [s.provider, s.schemaChanged, s.migration])).toEqual([
      ["sqlite", true, "20260101000000_init"],
      ["postgresql", true, "20260101000000_init"],
    ]);
    expect(existsSync(join(dir, "prisma/sqlite/migrations/migration_lock.toml"))).toBe(true);

    const second = await syncPrismaApp(v2, { cwd: ROOT, now: new Date("2026-02-01T00:00:00Z") });
    expect(second.map((s) => s.migration)).toEqual(["20260201000000_update", "20260201000000_update"]);
    expect(await readFile(schemaPathOf(v2, "sqlite"), "utf8")).toBe(renderAppSchema(v2, "sqlite"));

    const third = await syncPrismaApp(v2, { cwd: ROOT, now: new Date("2026-03-01T00:00:00Z") });
    expect(third.map((s) => [s.schemaChanged, s.migration])).toEqual([
      [false, undefined],
      [false, undefined],
    ]);
  });

  test.each(["sqlite", "postgresql"] as const)(
    "the %s migrations, applied in order, build what the latest schema describes",
    async (provider) => {
      const expected = await shapeAfter(
        provider,
        await diffSchemas(undefined, renderAppSchema(v2, provider), provider, ROOT),
      );
      const migrated = await shapeAfter(provider, await migrationScript(provider));
      expect(migrated).toEqual(expected);
      expect(migrated.some((line) => line.includes("size"))).toBe(true);
    },
  );
});
