import type { GraphQLSchema } from "graphql";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkoutConfig } from "../examples/checkout/config.ts";
import { createApp } from "../src/app/create-app.ts";
import { createLogger } from "../src/server/create-logger.ts";
import { printSortedSchema } from "../src/graphql/print-sorted-schema.ts";

/**
 * The schema `npm start` serves, built by the same code. Building it runs no query, so a fresh, empty SQLite
 * file in a temp directory is enough; the schema stays usable for printing and introspection after the app closes.
 */
export async function checkoutSchema(): Promise<GraphQLSchema> {
  const dir = await mkdtemp(join(tmpdir(), "sagaql-sdl-"));
  try {
    const app = await createApp({
      ...checkoutConfig({ logger: createLogger({ level: "silent" }) }),
      databaseUrl: `file:${join(dir, "app.db")}`,
      dataDir: dir,
      migrate: false,
    });
    await app.close();
    return app.schema;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What `schema/schema.graphql` must contain. */
export async function checkoutSdl(): Promise<string> {
  return printSortedSchema(await checkoutSchema());
}
