import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";
import { offlinePostgresDiffAdapter } from "./offline-diff-adapter.ts";

export interface PrismaCliConfigOptions {
  /** The schema per provider when `PRISMA_SCHEMA` is not set (the CLI run by hand). @default "<provider>/schema.prisma" */
  schemas?: { sqlite: string; postgresql: string };
  /** The database when `DATABASE_URL` is not set. @default "file:./data/app.db" */
  defaultUrl?: string;
}

/**
 * The Prisma CLI's configuration for a sagaql app: the JavaScript schema engine over a driver adapter (engine
 * "js"), which works offline, where the classic engine would download a native binary — and, with no config at
 * all, fail with a bare `getaddrinfo ENOTFOUND binaries.prisma.sh`.
 *
 * sagaql runs the CLI with `PRISMA_SCHEMA` and `DATABASE_URL` set for each command (generate, migrate diff,
 * migrate deploy); run by hand, it picks the schema for the database `DATABASE_URL` names.
 */
export function prismaCliConfig(options: PrismaCliConfigOptions = {}): ReturnType<typeof defineConfig> {
  const url = process.env.DATABASE_URL ?? options.defaultUrl ?? "file:./data/app.db";
  const postgres = /^postgres(ql)?:\/\//.test(url);
  const schemas = options.schemas ?? { sqlite: "sqlite/schema.prisma", postgresql: "postgresql/schema.prisma" };
  return defineConfig({
    experimental: { adapter: true },
    engine: "js",
    schema: process.env.PRISMA_SCHEMA ?? (postgres ? schemas.postgresql : schemas.sqlite),
    async adapter() {
      // Diffing two schema files needs no database; see offline-diff-adapter.ts.
      if (process.env.SAGAQL_OFFLINE_DIFF === "1")
        return postgres ? offlinePostgresDiffAdapter() : new PrismaBetterSqlite3({ url: ":memory:" });
      // allowExitOnIdle: the schema engine never closes its pool; idle connections must not keep the CLI alive.
      return postgres
        ? new PrismaPg({ connectionString: url, allowExitOnIdle: true })
        : new PrismaBetterSqlite3({ url });
    },
  });
}
