import type { GraphQLSchema } from "graphql";
import { buildSchema } from "../graphql/build-schema.ts";
import type { RunMetrics } from "../observability/run-metrics.ts";
import { providerOf } from "../persistence/prisma/open-database.ts";
import type { PrismaDriver } from "../persistence/prisma/prisma-driver.ts";
import type { PrismaProvider } from "../tooling/generate-prisma-schema.ts";
import type { ActionRuntime, AnyEntity } from "../action/run-action.ts";
import type { DurableRunJournal } from "../engine/journal/durable-run-journal.ts";
import type { RunEventFeed } from "../engine/journal/run-event-feed.ts";
import type { RunRecovery } from "../engine/recovery/run-recovery.ts";
import type { RunRetention } from "../engine/journal/run-retention.ts";
import { ServiceRegistry } from "../engine/definition/services.ts";
import { createLogger, type Logger } from "../server/create-logger.ts";
import type { ListeningAddress, SagaqlServer } from "../server/create-server.ts";
import type { HealthCheck } from "../server/health-endpoint.ts";
import { absoluteDatabaseUrl, appPaths, defaultDatabaseUrl, type AppPaths } from "./app-paths.ts";
import { createAppServer } from "./create-app-server.ts";
import { entityList, type AppEntities, type AppServices, type SagaqlConfig } from "./define-config.ts";
import { migrateApp, type AppMigrations } from "./migrate-app.ts";
import { openAppData, type AppData } from "./open-app-data.ts";
import { AppLifecycle } from "./app-lifecycle.ts";
import { loadGeneratedClient, type AppPrismaClient } from "./load-generated-client.ts";
import { closeServices, resolveServices } from "./resolve-services.ts";

export interface CreateAppOptions<
  E extends AppEntities = AppEntities,
  S extends AppServices = AppServices,
> extends SagaqlConfig<E, S> {
  /** `file:…` (SQLite; a relative path is under `root`) or `postgresql://…`. @default a SQLite file: `file:<dataDir>/<sqliteFile>` */
  databaseUrl?: string;
  /**
   * Apply pending migrations (`prisma migrate deploy`, skipped when none are pending) before the database is
   * opened; false when something else migrates (a deploy step, a test). @default true
   */
  migrate?: boolean;
  /** Wraps the journal the app opens (fault injection in tests, extra instrumentation). @default none */
  wrapRunJournal?: (store: DurableRunJournal) => DurableRunJournal;
}

export interface AppListenOptions {
  /** 0 picks a free port. @default 4000 */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
}

/** A running sagaql app: everything `sagaql start` serves, and the parts tests and benchmarks reach into. */
export interface SagaqlApp<S extends AppServices = AppServices> {
  readonly name: string;
  /** The GraphQL schema, usable with any GraphQL server; its context is `GraphQLContext`. */
  readonly schema: GraphQLSchema;
  readonly databaseUrl: string;
  readonly provider: PrismaProvider;
  readonly paths: AppPaths;
  readonly logger: Logger;
  readonly driver: PrismaDriver;
  /** The generated Prisma client, connected. */
  readonly prisma: AppPrismaClient;
  /** The run journal, instrumented, announcing to `runEvents`. */
  readonly store: DurableRunJournal;
  /** Wakes `workflowRunUpdated` subscriptions: LISTEN/NOTIFY on PostgreSQL, polling of the journal on SQLite. */
  readonly runEvents: RunEventFeed;
  /** What actions run with: the driver, the journal, the services, the logger. */
  readonly runtime: ActionRuntime;
  readonly services: S;
  /** The runs' Prometheus metrics, served at `/metrics` with the server's own. */
  readonly metrics: RunMetrics;
  /** Probes `/health` runs: the database and the journal answer. */
  readonly healthChecks: Record<string, HealthCheck>;
  /** The HTTP server `listen()` starts (its `yoga` answers in-process requests too). */
  readonly server: SagaqlServer;
  /** Resumes interrupted runs; set by `start()` unless recovery is off. */
  readonly recovery: RunRecovery | undefined;
  /** Prunes finished runs; set by `start()` unless retention is off. */
  readonly retention: RunRetention | undefined;
  /** What `createApp` migrated; undefined when told not to. */
  readonly migrations: AppMigrations | undefined;
  /** `onStart`, then recovery and retention in the background. Runs once; `listen()` calls it. */
  start(): Promise<void>;
  /** `start()`, then serves HTTP: `/graphql` (with GraphiQL), `/health`, `/metrics`, `/runs`. */
  listen(options?: AppListenOptions): Promise<ListeningAddress>;
  /** Graceful: requests in flight finish, then recovery, services, the feed, the journal and the database close. */
  close(): Promise<void>;
}

/** The one place an app is wired: its generated client, database, journal, feed, services, schema and server. */
export async function createApp<const E extends AppEntities, S extends AppServices>(
  options: CreateAppOptions<E, S>,
): Promise<SagaqlApp<S>> {
  const created = performance.now();
  const logger = options.logger ?? createLogger();
  const name = options.name ?? "sagaql app";
  const paths = appPaths(options);
  const databaseUrl = absoluteDatabaseUrl(paths, options.databaseUrl ?? defaultDatabaseUrl(paths, options.sqliteFile));
  const entities = entityList(options.entities);
  // First what is quick to check and most likely missing in a new project: the generated client.
  const generated = await loadGeneratedClient(paths.generatedDir, providerOf(databaseUrl), entities, paths.root);
  // Before anything opens the database: on SQLite an open connection can keep the migration from its write lock.
  const migrations = options.migrate === false ? undefined : await migrateApp(databaseUrl, paths, logger);
  const data = await openAppData({
    generated,
    databaseUrl,
    logger,
    recovery: options.recovery,
    wrapRunJournal: options.wrapRunJournal,
  });
  let services: S | undefined;
  try {
    services = await resolveServices(options.services, { dataDir: paths.dataDir, logger, databaseUrl });
    const runtime: ActionRuntime = {
      driver: data.database.driver,
      store: data.store,
      services: new ServiceRegistry(services),
      logger,
    };
    const schema = buildSchema({
      entities,
      runtime,
      prisma: data.database.prisma,
      datamodel: data.generated.datamodel,
      runEvents: data.runEvents,
      ...(options.pagination ? { pagination: options.pagination } : {}),
      ...(options.runControl ? { runControl: options.runControl } : {}),
    });
    const healthChecks = {
      database: () => data.database.prisma.$queryRawUnsafe("SELECT 1"),
      journal: () => data.store.getRun("health-probe"),
    };
    return assembleApp({
      options,
      name,
      paths,
      databaseUrl,
      logger,
      data,
      services,
      runtime,
      schema,
      healthChecks,
      created,
      entities,
      migrations,
    });
  } catch (error) {
    if (services) await closeServices(services, logger);
    await data.close();
    throw error;
  }
}

type Assembly<S extends AppServices> = {
  options: CreateAppOptions<AppEntities, S>;
  name: string;
  paths: AppPaths;
  databaseUrl: string;
  logger: Logger;
  data: AppData;
  services: S;
  runtime: ActionRuntime;
  schema: GraphQLSchema;
  healthChecks: Record<string, HealthCheck>;
  created: number;
  entities: readonly AnyEntity[];
  migrations: AppMigrations | undefined;
};

function assembleApp<S extends AppServices>(parts: Assembly<S>): SagaqlApp<S> {
  const { options, data, logger } = parts;
  const lifecycle = new AppLifecycle({ ...parts, recovery: options.recovery, onStart: options.onStart });
  const server = createAppServer({
    config: options,
    schema: parts.schema,
    logger,
    metrics: data.metrics,
    healthChecks: parts.healthChecks,
    release: () => lifecycle.release(),
  });
  let listening = false;
  const app: SagaqlApp<S> = {
    name: parts.name,
    schema: parts.schema,
    databaseUrl: parts.databaseUrl,
    provider: providerOf(parts.databaseUrl),
    paths: parts.paths,
    logger,
    driver: data.database.driver,
    prisma: data.database.prisma,
    store: data.store,
    runEvents: data.runEvents,
    runtime: parts.runtime,
    services: parts.services,
    metrics: data.metrics,
    healthChecks: parts.healthChecks,
    server,
    migrations: parts.migrations,
    get recovery() {
      return lifecycle.recovery;
    },
    get retention() {
      return lifecycle.retention;
    },
    start: () => lifecycle.start(),
    async listen(listenOptions = {}) {
      await lifecycle.start();
      const address = await server.listen({ port: listenOptions.port, host: listenOptions.host });
      listening = true;
      const ms = Math.round(performance.now() - parts.created);
      logger.info(
        { ms, url: address.graphqlUrl, runsConsole: `${address.url}/runs`, owner: data.store.owner },
        `${parts.name} ready`,
      );
      return address;
    },
    // Before listening there is no request to wait for; after, the server's close runs the release last.
    close: () => (listening ? server.close() : lifecycle.release()),
  };
  return app;
}
