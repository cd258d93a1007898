/**
 * Prisma CLI configuration. The CLI runs the JavaScript schema engine over a driver adapter (engine "js"),
 * which works offline; the classic engine would download a native binary.
 *
 * One config serves every schema in the repository: `src/persistence/run-prisma-cli.ts` sets
 * `PRISMA_SCHEMA` and `DATABASE_URL` for each command (generate, migrate diff, migrate deploy), and
 * migrations live next to each schema. Run by hand, it picks the checkout example's schema for the
 * database `DATABASE_URL` names.
 */
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";
import { offlinePostgresDiffAdapter } from "./src/persistence/offline-diff-adapter.ts";

const url = process.env.DATABASE_URL ?? "file:./data/checkout.db";
const postgres = /^postgres(ql)?:\/\//.test(url);

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: process.env.PRISMA_SCHEMA ?? (postgres ? "prisma/postgresql/schema.prisma" : "prisma/sqlite/schema.prisma"),
  async adapter() {
    // Diffing two schema files needs no database; see offline-diff-adapter.ts.
    if (process.env.SAGAQL_OFFLINE_DIFF === "1") return postgres ? offlinePostgresDiffAdapter() : new PrismaBetterSqlite3({ url: ":memory:" });
    // allowExitOnIdle: the schema engine never closes its pool; idle connections must not keep the CLI alive.
    return postgres ? new PrismaPg({ connectionString: url, allowExitOnIdle: true }) : new PrismaBetterSqlite3({ url });
  },
});
