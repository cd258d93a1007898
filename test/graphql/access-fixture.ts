/**
 * The access tests' app (test/fixtures/access-entities.ts) over a fresh SQLite or PostgreSQL database and its
 * journal, served in-process by yoga. The caller is named by headers, the way a server's `requestContext` would
 * name it from a verified token: `x-sub` and `x-role`; neither header, anonymous.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createYoga } from "graphql-yoga";
import { PrismaClient as PostgresClient } from "../../generated/access/postgresql/client/client.ts";
import { getDatamodel as postgresDatamodel } from "../../generated/access/postgresql/pothos-types.ts";
import { PrismaClient as SqliteClient } from "../../generated/access/sqlite/client/client.ts";
import { getDatamodel as sqliteDatamodel } from "../../generated/access/sqlite/pothos-types.ts";
import { buildSchema } from "../../src/graphql/build-schema.ts";
import type { GraphQLContext } from "../../src/graphql/context.ts";
import { openRunEventFeed } from "../../src/persistence/open-run-event-feed.ts";
import { openRunJournal } from "../../src/persistence/open-run-journal.ts";
import { ServiceRegistry, type Logger } from "../../src/index.ts";
import type { DurableRunJournal } from "../../src/engine/journal/durable-run-journal.ts";
import { silentLogger } from "../../src/engine/logger.ts";
import type { RunEventFeed } from "../../src/engine/journal/run-event-feed.ts";
import { requestContextFactory } from "../../src/server/request-context.ts";
import { entities, type Caller } from "../fixtures/access-entities.ts";
import type { Provider } from "../helpers/fresh-database.ts";
import { createPostgresDatabaseFor, createSqliteDatabaseFor, type TestDatabase } from "../helpers/test-database.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export type AccessPrisma = InstanceType<typeof SqliteClient>;

export interface GraphQLAnswer {
  data?: Record<string, any> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

export interface AccessFixture {
  /** The app's database, read and written around the API to set up rows and to see what changed. */
  prisma: AccessPrisma;
  store: DurableRunJournal;
  /** Sends one operation as `caller` (undefined: anonymous). */
  gql(query: string, variables?: Record<string, unknown>, caller?: Caller): Promise<GraphQLAnswer>;
  /** Subscribes as `caller` and reads the stream to its end: every payload. */
  subscribe(query: string, variables: Record<string, unknown>, caller?: Caller): Promise<GraphQLAnswer[]>;
  close(): Promise<void>;
}

function openDatabase(provider: Provider): Promise<TestDatabase<AccessPrisma>> {
  const migrationsDir = join(ROOT, "test/fixtures/access-prisma", provider, "migrations");
  // Both clients have the same models; the SQLite one's type stands for both.
  return provider === "sqlite"
    ? createSqliteDatabaseFor({ migrationsDir, PrismaClient: SqliteClient })
    : (createPostgresDatabaseFor({ migrationsDir, PrismaClient: PostgresClient }) as unknown as Promise<
        TestDatabase<AccessPrisma>
      >);
}

export async function createAccessFixture(provider: Provider, logger: Logger = silentLogger): Promise<AccessFixture> {
  const database = await openDatabase(provider);
  const store = await openRunJournal(database.url);
  const feed: RunEventFeed = await openRunEventFeed(database.url, { store, pollIntervalMs: 20 });
  const runtime = { driver: database.driver, store, services: new ServiceRegistry({}), logger };
  const datamodel = provider === "sqlite" ? sqliteDatamodel() : postgresDatamodel();
  const schema = buildSchema({ entities, runtime, prisma: database.prisma, datamodel, runEvents: feed });
  const context = requestContextFactory((request) => {
    const sub = request.headers.get("x-sub");
    return sub ? { user: { sub, role: request.headers.get("x-role") === "admin" ? "admin" : "customer" } } : {};
  });
  const yoga = createYoga<{}, GraphQLContext>({ schema, logging: false, context });
  const send = (query: string, variables: Record<string, unknown>, caller: Caller | undefined, accept: string) =>
    yoga.fetch("http://yoga/graphql", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept,
        ...(caller ? { "x-sub": caller.sub, "x-role": caller.role } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
  return {
    prisma: database.prisma,
    store,
    gql: async (query, variables = {}, caller) =>
      (await (await send(query, variables, caller, "application/json")).json()) as GraphQLAnswer,
    subscribe: async (query, variables, caller) => {
      const text = await (await send(query, variables, caller, "text/event-stream")).text();
      return text
        .split("\n")
        .filter((line) => line.startsWith("data:") && line.length > 5)
        .map((line) => JSON.parse(line.slice(5)) as GraphQLAnswer)
        .filter((payload) => payload.data !== undefined || payload.errors !== undefined);
    },
    close: async () => {
      await feed.close?.();
      await store.close?.();
      await database.close();
    },
  };
}
