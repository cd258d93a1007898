import { existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { applyMigrations } from "../tooling/apply-migrations.ts";
import { providerOf } from "../persistence/prisma/open-database.ts";
import type { Logger } from "../server/create-logger.ts";
import { AppStartError } from "./app-errors.ts";
import { prismaSchemaPath, type AppPaths } from "./app-paths.ts";

export interface AppMigrations {
  /** Whether the Prisma CLI ran: false when the database already had every migration. */
  ranCli: boolean;
  /** The CLI's last line ("No pending migrations to apply." when it did not need to run). */
  summary: string;
}

/**
 * Where sagaql's own `prisma.config.ts` is: the Prisma CLI runs from there whatever the app's folder, because that
 * config is what points the CLI at the offline JavaScript engine and at the schema it is handed.
 */
const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Applies the pending migrations of the provider's folder under the app's Prisma folder. */
export async function migrateApp(databaseUrl: string, paths: AppPaths, logger: Logger): Promise<AppMigrations> {
  const started = performance.now();
  const provider = providerOf(databaseUrl);
  const schemaPath = prismaSchemaPath(paths, provider);
  if (!existsSync(join(dirname(schemaPath), "migrations"))) {
    throw new AppStartError(
      `No ${provider} migrations in ${relative(paths.root, dirname(schemaPath)) || "."}: run \`sagaql generate\``,
    );
  }
  const migrated = await applyMigrations({ url: databaseUrl, schemaPath, cwd: PACKAGE_ROOT });
  const summary = migrated.output.trim().split("\n").at(-1) ?? "";
  logger.info(
    { provider, ms: Math.round(performance.now() - started), output: summary, ranCli: migrated.ranCli },
    "migrations applied",
  );
  return { ranCli: migrated.ranCli, summary };
}
