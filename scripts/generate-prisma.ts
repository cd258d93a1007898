/**
 * `npm run db:generate`: regenerates every app's Prisma schemas from its entities, writes a migration for
 * each schema whose database shape changed, then regenerates the Prisma clients.
 */
import { relative } from "node:path";
import { generatePrismaClients } from "../src/tooling/generate-prisma-clients.ts";
import { syncPrismaApp } from "../src/tooling/sync-prisma-app.ts";
import { committedSchemas, loadPrismaApps, ROOT } from "./prisma-apps.ts";

for (const app of await loadPrismaApps()) {
  for (const synced of await syncPrismaApp(app, { cwd: ROOT })) {
    const where = relative(ROOT, synced.schemaPath);
    if (!synced.schemaChanged) console.log(`${app.name}/${synced.provider}: ${where} is up to date`);
    else
      console.log(
        `${app.name}/${synced.provider}: wrote ${where}${synced.migration ? `, migration ${synced.migration}` : " (no database change)"}`,
      );
  }
}
const schemas = committedSchemas();
const started = performance.now();
await generatePrismaClients(schemas, ROOT);
console.log(`generated ${schemas.length} Prisma clients in ${Math.round(performance.now() - started)} ms`);
