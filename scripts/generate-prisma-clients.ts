/**
 * `postinstall`: generates the Prisma client and Pothos types of every committed schema into the
 * gitignored `generated/` folder, so a fresh `npm ci` is ready to run. Offline: no engine download.
 */
import { generatePrismaClients } from "../src/tooling/generate-prisma-clients.ts";
import { committedSchemas, ROOT } from "./prisma-apps.ts";

const schemas = committedSchemas();
const started = performance.now();
await generatePrismaClients(schemas, ROOT);
console.log(`sagaql: generated ${schemas.length} Prisma clients in ${Math.round(performance.now() - started)} ms`);
