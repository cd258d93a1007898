import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, relative } from "node:path";
import { prismaSchemaPath } from "../app/app-paths.ts";
import { migrateApp } from "../app/migrate-app.ts";
import { providerOf } from "../persistence/prisma/open-database.ts";
import { readAppEnv } from "../app/read-app-env.ts";
import { runApp } from "../app/run-app.ts";
import { createLogger } from "../server/create-logger.ts";
import { appSdl } from "./app-sdl.ts";
import { CliError } from "./cli-error.ts";
import { generatePrisma } from "./generate-prisma.ts";
import { initApp, nextSteps } from "./init-app.ts";
import { loadConfig, type LoadConfigOptions } from "./load-config.ts";
import { runCodegen } from "./run-codegen.ts";

/** Where a command writes what it reports; tests capture it. */
export type Print = (line: string) => void;

export async function initCommand(dir: string, version: string, print: Print): Promise<void> {
  const result = await initApp(dir, version);
  print(`Created a sagaql app in ${result.dir}:`);
  for (const file of result.written) print(`  ${file}`);
  print("");
  print("Next:");
  for (const line of nextSteps(result, process.cwd())) print(line);
}

/** Prisma schemas, migrations and clients; the SDL; the typed client when the app has codegen. */
export async function generateCommand(options: LoadConfigOptions, print: Print): Promise<void> {
  const loaded = await loadConfig(options);
  for (const line of await generatePrisma(loaded, loaded.paths)) print(line);
  const sdl = await appSdl(loaded);
  await mkdir(dirname(loaded.paths.schemaFile), { recursive: true });
  await writeFile(loaded.paths.schemaFile, sdl);
  print(`wrote ${relative(loaded.paths.root, loaded.paths.schemaFile)} (${sdl.split("\n").length} lines)`);
  const codegen = await runCodegen(loaded.paths.root);
  print(codegen.ran ? "generated the typed client (codegen.ts)" : `typed client not generated: ${codegen.reason}`);
}

export async function migrateCommand(options: LoadConfigOptions, print: Print): Promise<void> {
  const loaded = await loadConfig(options);
  const env = readAppEnv(process.env, loaded.config);
  const schema = prismaSchemaPath(loaded.paths, providerOf(env.databaseUrl));
  if (!existsSync(schema))
    throw new CliError(
      `No ${relative(loaded.paths.root, schema)}: run \`sagaql generate\` first, which writes it and its migrations`,
    );
  const logger = createLogger({ level: "silent" });
  const migrated = await migrateApp(env.databaseUrl, { ...loaded.paths, dataDir: env.dataDir }, logger);
  print(migrated.summary || "migrations applied");
}

export async function startCommand(options: LoadConfigOptions & { migrate: boolean }): Promise<void> {
  const loaded = await loadConfig(options);
  await runApp(loaded.config, { migrate: options.migrate });
}

export async function schemaCommand(options: LoadConfigOptions & { write: boolean }, print: Print): Promise<void> {
  const loaded = await loadConfig(options);
  const sdl = await appSdl(loaded);
  if (!options.write) {
    process.stdout.write(sdl);
    return;
  }
  await mkdir(dirname(loaded.paths.schemaFile), { recursive: true });
  await writeFile(loaded.paths.schemaFile, sdl);
  print(`wrote ${relative(process.cwd(), loaded.paths.schemaFile)}`);
}
