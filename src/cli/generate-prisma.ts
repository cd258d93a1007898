import { relative } from "node:path";
import { generatePrismaClients } from "../tooling/generate-prisma-clients.ts";
import { appProviders, schemaPathOf, type PrismaApp } from "../tooling/prisma-app.ts";
import { syncPrismaApp } from "../tooling/sync-prisma-app.ts";
import type { AppPaths } from "../app/app-paths.ts";
import type { LoadedConfig } from "./load-config.ts";
import { ensurePrismaConfig } from "./prisma-config-file.ts";

/**
 * The Prisma half of `sagaql generate`: the schema per provider from the entities, a migration for each change
 * of the database's shape (diffed offline between schema files), then the clients. Returns the lines to print.
 */
export async function generatePrisma(loaded: LoadedConfig, paths: AppPaths): Promise<string[]> {
  const lines: string[] = [];
  const shown = (path: string) => relative(paths.root, path) || ".";
  const config = await ensurePrismaConfig(paths.prismaDir);
  if (config.written) lines.push(`wrote ${shown(config.path)}`);
  const app: PrismaApp = {
    name: "app",
    entities: loaded.entities,
    prismaDir: paths.prismaDir,
    generatedDir: paths.generatedDir,
  };
  for (const synced of await syncPrismaApp(app, { cwd: paths.root, config: config.path })) {
    const where = shown(synced.schemaPath);
    if (!synced.schemaChanged) lines.push(`${synced.provider}: ${where} is up to date`);
    else
      lines.push(
        `${synced.provider}: wrote ${where}${synced.migration ? `, migration ${synced.migration}` : " (no database change)"}`,
      );
  }
  const started = performance.now();
  const schemas = appProviders(app).map((provider) => ({ provider, schemaPath: schemaPathOf(app, provider) }));
  await generatePrismaClients(schemas, paths.root, config.path);
  lines.push(
    `generated ${schemas.length} Prisma clients in ${shown(paths.generatedDir)} (${Math.round(performance.now() - started)} ms)`,
  );
  return lines;
}
