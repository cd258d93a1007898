import type { AnyEntity } from "../action/run-action.ts";
import type { CorsSetting } from "../server/cors-policy.ts";
import type { Logger } from "../server/create-logger.ts";
import type { CreateServerOptions, ListeningAddress } from "../server/create-server.ts";
import type { QueryLimits } from "../server/query-limits.ts";
import type { RunsConsoleOptions } from "../server/runs-console.ts";
import type { RequestContextFactory } from "../server/request-context.ts";
import type { GraphiQLOptions } from "graphql-yoga";
import type { RunControlOptions } from "../graphql/run-control.ts";
import type { PaginationOptions } from "../graphql/list-args.ts";

/** The entities of an app: a list, or a record whose values are the entities (`import * as entities`). */
export type AppEntities = readonly AnyEntity[] | Readonly<Record<string, AnyEntity>>;

/** What the services function is given, once, when the app starts. */
export interface ServicesContext {
  /** The app's folder for local state (absolute). */
  dataDir: string;
  /** The app's logger. */
  logger: Logger;
  /** The database the app runs on. */
  databaseUrl: string;
}

/** The services `ctx.resolve(name)` finds, by name. A service with a `close()` method is closed with the app. */
export type AppServices = Readonly<Record<string, unknown>>;

/** `services` as given: the map itself, or a function returning it (called once, when the app starts). */
export type ServicesSetting<S extends AppServices = AppServices> = S | ((context: ServicesContext) => S | Promise<S>);

/** Leases, crash recovery and retention of runs. */
export interface RecoveryConfig {
  /** How long a run stays owned by the instance executing it without a heartbeat, in ms (`SAGAQL_LEASE_MS`). @default 30000 */
  leaseMs?: number;
  /** How often recovery looks for runs whose lease ran out, in ms (`SAGAQL_RECOVERY_INTERVAL_MS`). @default 5000 */
  intervalMs?: number;
  /** Takeovers after which a run is parked (ended FAILED for a person) instead of resumed (`SAGAQL_MAX_RECOVERY_ATTEMPTS`). @default 5 */
  maxRecoveryAttempts?: number;
  /** False leaves interrupted runs alone (another instance recovers them) and prunes nothing. @default true */
  enabled?: boolean;
  /** How long a finished run is kept, in ms; 0 keeps runs forever (`SAGAQL_RUN_RETENTION_MS`). @default 30 days */
  retentionMs?: number;
  /**
   * This instance's stable name (`SAGAQL_INSTANCE_ID`): a process started under the name takes the runs of its
   * previous incarnation over at once. @default none: a fresh owner per process
   */
  instanceId?: string;
}

/** The HTTP server `listen()` starts; these pass through to `createServer`. */
export interface AppServerOptions {
  /**
   * GraphiQL at the GraphQL endpoint, offline. An object sets its title, default query, … and is shown unless
   * NODE_ENV=production; `true` shows it always, `false` never. @default shown unless NODE_ENV=production
   */
  graphiql?: boolean | GraphiQLOptions;
  /** Cross-origin access; see `CreateServerOptions.cors`. @default false: same-origin pages only */
  cors?: CorsSetting;
  /** Bounds on each request's document and response; see `CreateServerOptions.limits`. @default DEFAULT_QUERY_LIMITS */
  limits?: QueryLimits | false;
  /**
   * Serve the runs console at `GET /runs`; an object sets its options, e.g. `{ defaultToken }` for a development
   * admin token the page starts with. @default true
   */
  runsConsole?: boolean | Pick<RunsConsoleOptions, "defaultToken">;
  /** Serve the Prometheus metrics at `GET /metrics`. @default true */
  metrics?: boolean;
  /** Everything else `createServer` takes (endpoint, body size, timeouts, shutdown grace, plugins, …). @default {} */
  options?: Omit<
    CreateServerOptions,
    "schema" | "logger" | "graphiql" | "cors" | "limits" | "healthChecks" | "requestContext" | "onClose"
  >;
}

/** An app: what `sagaql.config.ts` exports and `createApp` takes. */
export interface SagaqlConfig<E extends AppEntities = AppEntities, S extends AppServices = AppServices> {
  /** The entities: each becomes a type, CRUD queries and mutations, and one mutation per action. */
  entities: E;
  /** What `ctx.resolve(name)` finds: an object, or a function returning one, called once at start. @default {} */
  services?: ServicesSetting<S>;
  /** Names the app in its logs ("<name> ready"). @default "sagaql app" */
  name?: string;
  /** The project's folder; every relative path below is resolved against it. @default process.cwd() */
  root?: string;
  /** Holds `sqlite/` and `postgresql/`, each with `schema.prisma` and `migrations/`. @default "prisma" */
  prismaDir?: string;
  /**
   * Where the generated Prisma clients are: `<provider>/client/client.ts` and `<provider>/pothos-types.ts`
   * (what `sagaql generate` writes). @default "generated/prisma"
   */
  generatedDir?: string;
  /** Where `sagaql generate` prints the GraphQL schema (SDL), for codegen and review. @default "schema/schema.graphql" */
  schemaFile?: string;
  /** Local state: the default SQLite database, and whatever services keep on disk (`DATA_DIR`). @default "data" */
  dataDir?: string;
  /** The SQLite file used when no database URL is given, in `dataDir`. @default "app.db" */
  sqliteFile?: string;
  /** The HTTP server's options. @default {} */
  server?: AppServerOptions;
  /**
   * Adds what authorization rules see to each request (e.g. the user behind the Authorization header).
   * @default none: rules see the bare request
   */
  requestContext?: RequestContextFactory;
  /** Page sizes of the list queries. @default { defaultTake: 50, maxTake: 200 } */
  pagination?: PaginationOptions;
  /**
   * Who may cancel, retry and resume runs (`workflowRunCancel`, `workflowRunRetry`, `workflowRunResume`), and who
   * the journal records as having done it. @default open to every caller, with a warning in production
   */
  runControl?: RunControlOptions;
  /** Leases, crash recovery and retention of runs. @default {} */
  recovery?: RecoveryConfig;
  /** Where the app logs (JSON lines). @default createLogger(): pino to stdout at LOG_LEVEL or "info" */
  logger?: Logger;
  /**
   * More lines `runApp` (`sagaql start`, `npm start`) prints under the GraphiQL line once the server listens,
   * e.g. ready-to-paste development headers. @default none
   */
  banner?: (address: ListeningAddress) => string | undefined;
  /** Runs once the database is migrated, before the server accepts requests (e.g. seeding demo rows). @default none */
  onStart?: (app: StartingApp) => void | Promise<void>;
}

/** What `onStart` may use: the app's data and services, before the server listens. */
export interface StartingApp {
  driver: import("../engine/definition/driver.ts").Driver;
  logger: Logger;
  services: AppServices;
}

/**
 * Types a config: returns it as given, keeping its entities' and services' types (for `ServicesOf`).
 *
 *     export default defineConfig({ entities: [trip], services: { flights: new Flights() } });
 */
export function defineConfig<const E extends AppEntities, S extends AppServices = Record<never, never>>(
  config: SagaqlConfig<E, S>,
): SagaqlConfig<E, S> {
  return config;
}

/**
 * The services a config provides, by name — to type `ctx.resolve` through module augmentation:
 *
 *     declare module "sagaql" { interface Services extends ServicesOf<typeof config> {} }
 */
export type ServicesOf<C> = C extends SagaqlConfig<AppEntities, infer S> ? S : never;

/** The entities of a config as a list. */
export function entityList(entities: AppEntities): readonly AnyEntity[] {
  return Array.isArray(entities)
    ? (entities as readonly AnyEntity[])
    : Object.values(entities as Record<string, AnyEntity>);
}
