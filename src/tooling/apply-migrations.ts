import { mkdir } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { migrationsUpToDate } from "./migrations-up-to-date.ts";
import { providerOf } from "../persistence/prisma/open-database.ts";
import { runPrismaCli } from "./run-prisma-cli.ts";

export interface ApplyMigrationsOptions {
  url: string;
  /** The schema whose `migrations/` folder (next to it) holds the migrations; it must match the URL's provider. */
  schemaPath: string;
  /** Where `prisma.config.ts` is. @default process.cwd() */
  cwd?: string;
}

export interface AppliedMigrations {
  /** What `prisma migrate deploy` printed, or its last line when it did not need to run. */
  output: string;
  /** Whether the Prisma CLI ran: false when the database already had every migration. */
  ranCli: boolean;
}

/** What `prisma migrate deploy` ends with when there is nothing to do. */
const NOTHING_PENDING = "No pending migrations to apply.";

/**
 * Applies pending migrations with `prisma migrate deploy`, which needs no shadow database and, with the
 * JavaScript schema engine, no download: safe at every start. Starting the CLI takes seconds, so when the
 * database's migration table already records every migration of the folder, unchanged, it is not started.
 * A SQLite file and its folder are created when missing; a relative SQLite path is resolved against `cwd`,
 * as the app would resolve it.
 */
export async function applyMigrations(options: ApplyMigrationsOptions): Promise<AppliedMigrations> {
  const cwd = options.cwd ?? process.cwd();
  const provider = providerOf(options.url);
  let url = options.url;
  if (provider === "sqlite") {
    const path = url.replace(/^file:/, "");
    const absolute = isAbsolute(path) ? path : resolve(cwd, path);
    await mkdir(dirname(absolute), { recursive: true });
    url = `file:${absolute}`;
  }
  const schemaPath = resolve(cwd, options.schemaPath);
  if (await migrationsUpToDate(url, join(dirname(schemaPath), "migrations"), provider))
    return { output: NOTHING_PENDING, ranCli: false };
  const { stdout } = await runPrismaCli(["migrate", "deploy", "--schema", schemaPath], {
    schemaPath,
    url,
    provider,
    cwd,
  });
  return { output: stdout, ranCli: true };
}
