/**
 * The applications in this repository whose entities become Prisma schemas. The checkout example is
 * optional here so the test fixtures can be generated while it is still being written.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { SchemaEntity } from "../src/tooling/generate-prisma-schema.ts";
import type { ClientSchema } from "../src/tooling/generate-prisma-clients.ts";
import { PROVIDERS, type PrismaApp } from "../src/tooling/prisma-app.ts";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

interface AppSource {
  name: string;
  /** Module exporting `entities`, relative to the repository root. */
  entitiesModule: string;
  prismaDir: string;
}

const SOURCES: readonly AppSource[] = [
  { name: "checkout", entitiesModule: "examples/checkout/entities.ts", prismaDir: "prisma" },
  { name: "fixtures", entitiesModule: "test/fixtures/entities.ts", prismaDir: "test/fixtures/prisma" },
  {
    name: "relations",
    entitiesModule: "test/fixtures/relations/entities.ts",
    prismaDir: "test/fixtures/relations/prisma",
  },
  { name: "access", entitiesModule: "test/fixtures/access-entities.ts", prismaDir: "test/fixtures/access-prisma" },
];

/** Every committed schema, found by path so this works before any entity module can be imported. */
export function committedSchemas(): ClientSchema[] {
  return SOURCES.flatMap((source) =>
    PROVIDERS.map((provider) => ({ provider, schemaPath: join(ROOT, source.prismaDir, provider, "schema.prisma") })),
  ).filter((schema) => existsSync(schema.schemaPath));
}

export async function loadPrismaApps(): Promise<PrismaApp[]> {
  const apps: PrismaApp[] = [];
  for (const source of SOURCES) {
    const modulePath = join(ROOT, source.entitiesModule);
    if (!existsSync(modulePath)) {
      console.warn(`skipping app "${source.name}": ${source.entitiesModule} does not exist yet`);
      continue;
    }
    const loaded = (await import(pathToFileURL(modulePath).href)) as {
      entities?: readonly SchemaEntity[] | Record<string, SchemaEntity>;
    };
    if (!loaded.entities) throw new Error(`${source.entitiesModule} must export "entities"`);
    apps.push({
      name: source.name,
      entities: Array.isArray(loaded.entities) ? loaded.entities : Object.values(loaded.entities),
      prismaDir: join(ROOT, source.prismaDir),
      generatedDir: join(ROOT, "generated", source.name),
    });
  }
  return apps;
}
