import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../app/create-app.ts";
import { printSortedSchema } from "../graphql/print-sorted-schema.ts";
import { createLogger } from "../server/create-logger.ts";
import type { LoadedConfig } from "./load-config.ts";

/**
 * The SDL `sagaql start` serves, built by the same code (`createApp`). Building the schema runs no query, so an
 * empty SQLite file in a temp folder is enough; it needs the generated SQLite client.
 */
export async function appSdl(loaded: LoadedConfig): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "sagaql-sdl-"));
  try {
    const app = await createApp({
      ...loaded.config,
      logger: createLogger({ level: "silent" }),
      databaseUrl: `file:${join(dir, "schema.db")}`,
      dataDir: dir,
      migrate: false,
    });
    await app.close();
    return printSortedSchema(app.schema);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
