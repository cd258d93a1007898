/**
 * The relations fixture app (customers, guides, trips, bookings) over a fresh database of either provider, with its
 * GraphQL schema in process and a count of the SQL statements its Prisma client sends. Statements are counted at
 * the driver adapter: every `queryRaw` and `executeRaw` call is one statement handed to better-sqlite3 or `pg`,
 * inside a transaction or not, so the count is what the database really runs.
 */
import { join } from "node:path";
import type { GraphQLSchema } from "graphql";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient as PostgresClient } from "../../generated/relations/postgresql/client/client.ts";
import { getDatamodel as postgresDatamodel } from "../../generated/relations/postgresql/pothos-types.ts";
import { PrismaClient as SqliteClient } from "../../generated/relations/sqlite/client/client.ts";
import { getDatamodel as sqliteDatamodel } from "../../generated/relations/sqlite/pothos-types.ts";
import { buildSchema, type BuildSchemaOptions } from "../../src/graphql/build-schema.ts";
import { InMemoryRunJournal, ServiceRegistry } from "../../src/index.ts";
import { PrismaDriver } from "../../src/persistence/prisma/prisma-driver.ts";
import { serializedSqliteAdapter } from "../../src/persistence/prisma/serialized-sqlite-adapter.ts";
import { silentLogger } from "../../src/engine/logger.ts";
import { entities } from "../fixtures/relations/entities.ts";
import type { RequestContext } from "../../src/entity/define-action.ts";
import type { Provider } from "./fresh-database.ts";
import { inProcessGraphQL, type GraphQLResult } from "./in-process-graphql.ts";
import { createPostgresDatabaseFor, createSqliteDatabaseFor } from "./test-database.ts";

const MIGRATIONS = (provider: Provider) =>
  join(import.meta.dirname, "..", "fixtures", "relations", "prisma", provider, "migrations");

export type RelationsClient = InstanceType<typeof SqliteClient>;

export interface RelationsApp {
  schema: GraphQLSchema;
  /** Sends one operation; `request` is the request context its access rules see. */
  gql(query: string, variables?: Record<string, unknown>, request?: RequestContext): Promise<GraphQLResult>;
  /** The app's client (counted too); typed as the SQLite one, which has the same delegates. */
  prisma: RelationsClient;
  driver: PrismaDriver;
  /** Statements sent since the last `resetStatements()`. */
  statements(): number;
  resetStatements(): void;
  close(): Promise<void>;
}

interface Queryable {
  queryRaw(...args: unknown[]): Promise<unknown>;
  executeRaw(...args: unknown[]): Promise<unknown>;
}

/** Counts every statement of a connection, and of the transactions it starts. */
function counting<T extends object>(target: T, count: () => void): T {
  return new Proxy(target, {
    get(object, key, receiver) {
      const value = Reflect.get(object, key, receiver);
      if (typeof value !== "function") return value;
      if (key === "queryRaw" || key === "executeRaw") {
        return (...args: unknown[]) => {
          count();
          return (value as Queryable["queryRaw"]).apply(object, args);
        };
      }
      if (key === "startTransaction")
        return async (...args: unknown[]) => counting((await value.apply(object, args)) as object, count);
      return value.bind(object);
    },
  });
}

function countingAdapter<F extends { connect(): Promise<object> }>(factory: F, count: () => void): F {
  return new Proxy(factory, {
    get(object, key, receiver) {
      const value = Reflect.get(object, key, receiver);
      if (key === "connect") return async () => counting(await object.connect(), count);
      return typeof value === "function" ? value.bind(object) : value;
    },
  });
}

export async function relationsApp(
  provider: Provider,
  options: Partial<Pick<BuildSchemaOptions, "pagination" | "entities">> = {},
): Promise<RelationsApp> {
  const base =
    provider === "sqlite"
      ? await createSqliteDatabaseFor({ migrationsDir: MIGRATIONS(provider), PrismaClient: SqliteClient })
      : await createPostgresDatabaseFor({ migrationsDir: MIGRATIONS(provider), PrismaClient: PostgresClient });
  let statements = 0;
  const count = () => void statements++;
  const adapter =
    provider === "sqlite"
      ? serializedSqliteAdapter(base.url.replace(/^file:/, ""))
      : new PrismaPg(new pg.Pool({ connectionString: base.url, max: 4 }), { disposeExternalPool: true });
  const Client = (provider === "sqlite" ? SqliteClient : PostgresClient) as unknown as new (options: {
    adapter: unknown;
    errorFormat: "minimal";
  }) => RelationsClient;
  const prisma = new Client({ adapter: countingAdapter(adapter, count), errorFormat: "minimal" });
  await prisma.$connect();
  const driver = new PrismaDriver(prisma);
  const runtime = { driver, store: new InMemoryRunJournal(), services: new ServiceRegistry(), logger: silentLogger };
  const datamodel = provider === "sqlite" ? sqliteDatamodel() : postgresDatamodel();
  const schema = buildSchema({ entities: [...entities], runtime, prisma, datamodel, ...options });
  return {
    schema,
    gql: inProcessGraphQL(schema),
    prisma,
    driver,
    statements: () => statements,
    resetStatements: () => void (statements = 0),
    close: async () => {
      await prisma.$disconnect();
      await base.close();
    },
  };
}
