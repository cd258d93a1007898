/**
 * Prints the checkout example's GraphQL schema, sorted, to schema/schema.graphql (`npm run schema:print`).
 * test/graphql/schema-snapshot.test.ts fails when the checked-in file differs from what this prints.
 */
import { writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkoutSdl } from "./checkout-sdl.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SCHEMA_FILE = join(ROOT, "schema", "schema.graphql");

const sdl = await checkoutSdl();
await writeFile(SCHEMA_FILE, sdl);
console.log(`Wrote ${SCHEMA_FILE} (${sdl.split("\n").length} lines)`);
