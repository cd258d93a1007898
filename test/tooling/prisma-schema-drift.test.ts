/**
 * Fails when the committed Prisma schemas or migrations are out of step with the entity definitions.
 * The fix is always the same: `npm run db:generate`, then commit what it wrote.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { describe, expect, test } from "vitest";
import {
  appProviders,
  migrationLockText,
  migrationsDirOf,
  renderAppSchema,
  schemaPathOf,
} from "../../src/tooling/prisma-app.ts";
import { diffSchemas, listMigrations } from "../../src/tooling/sync-prisma-app.ts";
import { loadPrismaApps, ROOT } from "../../scripts/prisma-apps.ts";
import { shapeAfter } from "../persistence/database-shape.ts";

const FIX = "run `npm run db:generate` and commit the result";
const apps = await loadPrismaApps();
const cases = apps.flatMap((app) =>
  appProviders(app).map((provider) => ({ name: `${app.name}/${provider}`, app, provider })),
);

/**
 * The database shape the committed schema calls for, from `prisma migrate diff --from-empty`. Started for
 * every case at once: each is a Prisma CLI process, and one after another they take most of the run.
 */
const expectedShapes = new Map(
  cases.map(({ name, app, provider }) => {
    const shape = readFile(schemaPathOf(app, provider), "utf8")
      .then((schema) => diffSchemas(undefined, schema, provider, ROOT))
      .then((sql) => shapeAfter(provider, sql));
    shape.catch(() => undefined); // reported by the test that awaits it
    return [name, shape];
  }),
);

describe.each(cases)("Prisma files of $name", ({ name, app, provider }) => {
  const schemaPath = schemaPathOf(app, provider);
  const migrationsDir = migrationsDirOf(app, provider);

  test("the committed schema is the one the entities generate", async () => {
    expect(existsSync(schemaPath), `${relative(ROOT, schemaPath)} is missing: ${FIX}`).toBe(true);
    const committed = await readFile(schemaPath, "utf8");
    expect(committed, `${relative(ROOT, schemaPath)} is stale: ${FIX}`).toBe(renderAppSchema(app, provider));
  });

  test("the migration lock names the provider", async () => {
    expect(await readFile(join(migrationsDir, "migration_lock.toml"), "utf8")).toBe(migrationLockText(provider));
  });

  test("applying the migrations in order gives the database the schema describes", { timeout: 60_000 }, async () => {
    const folders = await listMigrations(migrationsDir);
    expect(folders.length, `no migrations in ${relative(ROOT, migrationsDir)}: ${FIX}`).toBeGreaterThan(0);
    const migrations = await Promise.all(
      folders.map((folder) => readFile(join(migrationsDir, folder, "migration.sql"), "utf8")),
    );
    const [migrated, expected] = await Promise.all([
      shapeAfter(provider, migrations.join("\n;\n")),
      expectedShapes.get(name),
    ]);
    expect(migrated, `the migrations in ${relative(ROOT, migrationsDir)} do not produce the schema: ${FIX}`).toEqual(
      expected,
    );
  });
});
