import { mkdir } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { providerOf } from "./open-database.ts";
import { runPrismaCli } from "./run-prisma-cli.ts";

export interface ApplyMigrationsOptions {
  url: string;
  /** The schema whose `migrations/` folder (next to it) holds the migrations; it must match the URL's provider. */
  schemaPath: string;
  /** Where `prisma.config.ts` is. @default process.cwd() */
  cwd?: string;
}

export interface AppliedMigrations {
  /** What `prisma migrate deploy` printed. */
  output: string;
}

/**
 * Applies pending migrations with `prisma migrate deploy`, which needs no shadow database and, with the
 * JavaScript schema engine, no download: safe at every start. A SQLite file and its folder are created when
 * missing; a relative SQLite path is resolved against `cwd`, as the app would resolve it.
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
  const { stdout } = await runPrismaCli(["migrate", "deploy", "--schema", schemaPath], { schemaPath, url, provider, cwd });
  return { output: stdout };
}
