/**
 * A driver adapter for the Prisma CLI's JavaScript schema engine when it diffs two schema files. Even then
 * the engine opens a connection and asks PostgreSQL one question (does the schema exist, which version is
 * this); nothing else. Answering that locally lets `prisma migrate diff` produce PostgreSQL migrations with no
 * server at all; any other query fails loudly, so a command that really needs a database cannot be fooled.
 */

/** Column type codes of `@prisma/driver-adapter-utils`' `ColumnTypeEnum` (not a direct dependency). */
const INT32 = 0;
const BOOLEAN = 5;
const TEXT = 7;

/** The PostgreSQL version the diff is computed for; Prisma's DDL for our column types is the same from 12 on. */
const POSTGRES_VERSION = { text: "PostgreSQL 16.0 (sagaql offline diff)", number: 160000 };

interface SqlQuery {
  sql: string;
  args: unknown[];
}

function refuse(what: string): never {
  throw new Error(
    `The offline diff adapter cannot ${what}: this Prisma command needs a real database (set DATABASE_URL)`,
  );
}

function offlinePostgresConnection() {
  return {
    provider: "postgres" as const,
    adapterName: "@prisma/adapter-pg",
    async queryRaw(query: SqlQuery) {
      if (!/version\(\)/.test(query.sql)) refuse(`run ${JSON.stringify(query.sql)}`);
      return {
        columnNames: ["exists", "version", "numeric_version"],
        columnTypes: [BOOLEAN, TEXT, INT32] as Array<typeof BOOLEAN | typeof TEXT | typeof INT32>,
        rows: [[true, POSTGRES_VERSION.text, POSTGRES_VERSION.number]],
      };
    },
    async executeRaw(): Promise<number> {
      return refuse("execute statements");
    },
    async executeScript(): Promise<void> {
      refuse("execute scripts");
    },
    async startTransaction(): Promise<never> {
      return refuse("start transactions");
    },
    getConnectionInfo() {
      return { schemaName: "public", supportsRelationJoins: true };
    },
    async dispose(): Promise<void> {},
  };
}

/** A stand-in for `new PrismaPg(...)` in `prisma.config.ts`, for `migrate diff` between schema files only. */
export function offlinePostgresDiffAdapter() {
  return {
    provider: "postgres" as const,
    adapterName: "@prisma/adapter-pg",
    connect: async () => offlinePostgresConnection(),
    connectToShadowDb: async () => offlinePostgresConnection(),
  };
}
