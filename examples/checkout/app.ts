import type { GraphQLSchema } from "graphql";
import { join } from "node:path";
import { buildSchema } from "../../src/graphql/build-schema.ts";
import { openDatabase, providerOf, type PrismaClientClass } from "../../src/persistence/open-database.ts";
import { openRunStore } from "../../src/persistence/open-run-store.ts";
import { openRunEventFeed } from "../../src/persistence/open-run-event-feed.ts";
import { announcingRunStore, type RunEventFeed } from "../../src/saga/run-event-feed.ts";
import type { ActionRuntime } from "../../src/runtime/run-action.ts";
import { ServiceRegistry, type Driver, type Logger } from "../../src/index.ts";
import { entityWorkflows } from "../../src/runtime/entity-workflows.ts";
import type { DurableRunStore } from "../../src/saga/durable-run-store.ts";
import { RunRecovery } from "../../src/saga/run-recovery.ts";
import { RunRetention } from "../../src/saga/run-retention.ts";
import { instrumentRunStore } from "../../src/observability/instrument-run-store.ts";
import { RunMetrics } from "../../src/observability/run-metrics.ts";
import { RunTracing } from "../../src/observability/run-tracing.ts";
import { consoleLogger } from "../../src/saga/logger.ts";
import { entities } from "./entities.ts";
import { InventoryService } from "./services/inventory-service.ts";
import { PaymentService } from "./services/payment-service.ts";
import { ShippingService } from "./services/shipping-service.ts";

export interface CheckoutAppOptions {
  /** `file:…` (SQLite) or `postgresql://…`; migrations must already be applied. */
  databaseUrl: string;
  /** Where the simulated payment and shipping providers keep their own SQLite files. */
  dataDir: string;
  /** Where the saga engine reports retries and failed compensations. @default JSON lines on stderr */
  logger?: Logger;
  /** How long the `pm_card_slow` test card takes to charge, in ms. @default 3000 */
  slowCardMs?: number;
  /** Lets a caller wrap the journal the app opens (instrumentation, fault injection in crash tests). @default none */
  wrapRunStore?: (store: DurableRunStore) => DurableRunStore;
  /** Leases and crash recovery of interrupted runs; see `RunRecoveryOptions`. */
  recovery?: CheckoutRecoveryOptions;
}

export interface CheckoutRecoveryOptions {
  /** How long a run stays owned by the instance executing it without a heartbeat, in ms. @default 30000 */
  leaseMs?: number;
  /** How often recovery looks for runs whose lease ran out, in ms. @default 5000 */
  intervalMs?: number;
  /** Takeovers after which a run is parked (ended FAILED for a person) instead of resumed. @default 5 */
  maxRecoveryAttempts?: number;
  /** False leaves interrupted runs alone (another instance recovers them). @default true */
  enabled?: boolean;
  /** How long a finished run is kept, in ms; 0 keeps runs forever. See `RunRetention`. @default 30 days */
  retentionMs?: number;
}

export interface CheckoutServices {
  inventory: InventoryService;
  payment: PaymentService;
  shipping: ShippingService;
}

export interface CheckoutApp {
  schema: GraphQLSchema;
  runtime: ActionRuntime;
  driver: Driver;
  store: DurableRunStore;
  /** Wakes `workflowRunUpdated` subscriptions: LISTEN/NOTIFY on PostgreSQL, polling of the journal on SQLite. */
  runEvents: RunEventFeed;
  services: CheckoutServices;
  /** Resumes interrupted runs: started with the app (a first pass, then one every interval). */
  recovery: RunRecovery | undefined;
  /** Probes for the server's `/health`: the app database and the run journal answer. */
  healthChecks: Record<string, () => Promise<unknown>>;
  /** The runs' Prometheus metrics; `serveCheckout` serves them at `/metrics` with the server's own. */
  metrics: RunMetrics;
  /** Closes the providers, then the journal, then the database. */
  close(): Promise<void>;
}

/**
 * The e-commerce example wired together: the Prisma database, the run journal, the three services the checkout
 * saga resolves by name, and the GraphQL schema generated from `entities`.
 */
export async function createCheckoutApp(options: CheckoutAppOptions): Promise<CheckoutApp> {
  const { PrismaClient, datamodel } = await loadGeneratedPrisma(providerOf(options.databaseUrl));
  const database = await openDatabase(options.databaseUrl, PrismaClient);
  const opened = await openRunStore(options.databaseUrl, { leaseMs: options.recovery?.leaseMs });
  const metrics = new RunMetrics();
  const journal = instrumentRunStore(options.wrapRunStore ? options.wrapRunStore(opened) : opened, metrics, new RunTracing());
  const runEvents = await openRunEventFeed(options.databaseUrl, { store: journal, logger: options.logger });
  // Subscribers in this process hear of the runs it executes at once, not at the feed's next poll.
  const store = announcingRunStore(journal, runEvents);
  const services: CheckoutServices = {
    inventory: new InventoryService(),
    payment: new PaymentService(join(options.dataDir, "payment-provider.db"), { slowMs: options.slowCardMs }),
    shipping: new ShippingService(join(options.dataDir, "shipping-provider.db")),
  };
  const runtime: ActionRuntime = {
    driver: database.driver,
    store,
    services: new ServiceRegistry({ inventoryService: services.inventory, paymentService: services.payment, shippingService: services.shipping }),
    logger: options.logger ?? consoleLogger,
  };
  const schema = buildSchema({ entities, runtime, prisma: database.prisma, datamodel, runEvents });
  const recovery = startRecovery(runtime, store, options.recovery);
  const retention = startRetention(runtime, store, options.recovery);
  const healthChecks = {
    database: () => database.prisma.$queryRawUnsafe("SELECT 1"),
    journal: () => store.getRun("health-probe"),
  };
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await recovery?.stop();
      await retention?.stop();
      services.payment.close();
      services.shipping.close();
      await runEvents.close();
      await store.close?.();
      await database.close();
    })());
  return { schema, runtime, driver: database.driver, store, runEvents, services, recovery, metrics, healthChecks, close };
}

/** In the background: a first pass resumes what the last process left unfinished, without delaying startup. */
function startRecovery(runtime: ActionRuntime, store: DurableRunStore, options: CheckoutRecoveryOptions = {}): RunRecovery | undefined {
  if (options.enabled === false) return undefined;
  const recovery = new RunRecovery({
    store,
    driver: runtime.driver,
    workflows: entityWorkflows(entities),
    services: runtime.services,
    logger: runtime.logger,
    intervalMs: options.intervalMs,
    maxRecoveryAttempts: options.maxRecoveryAttempts,
  });
  void recovery.start();
  return recovery;
}

/** Pruning runs with each instance: batches are small and skip each other's rows, so several instances may prune. */
function startRetention(runtime: ActionRuntime, store: DurableRunStore, options: CheckoutRecoveryOptions = {}): RunRetention | undefined {
  if (options.enabled === false || options.retentionMs === 0) return undefined;
  const retention = new RunRetention({ store, maxAgeMs: options.retentionMs, logger: runtime.logger });
  void retention.start();
  return retention;
}

/** What the app uses of either provider's generated client. */
interface CheckoutPrismaClient {
  $connect(): Promise<void>;
  $disconnect(): Promise<void>;
  $transaction(...args: never[]): unknown;
  $queryRawUnsafe(query: string): Promise<unknown>;
}

interface GeneratedPrisma {
  PrismaClient: PrismaClientClass<CheckoutPrismaClient>;
  datamodel: ReturnType<typeof import("../../generated/checkout/sqlite/pothos-types.ts").getDatamodel>;
}

/** Each provider has its own generated client (`npm install` generates both); only the one in use is loaded. */
async function loadGeneratedPrisma(provider: "sqlite" | "postgresql"): Promise<GeneratedPrisma> {
  const [client, pothos] =
    provider === "postgresql"
      ? await Promise.all([import("../../generated/checkout/postgresql/client/client.ts"), import("../../generated/checkout/postgresql/pothos-types.ts")])
      : await Promise.all([import("../../generated/checkout/sqlite/client/client.ts"), import("../../generated/checkout/sqlite/pothos-types.ts")]);
  return { PrismaClient: client.PrismaClient as unknown as PrismaClientClass<CheckoutPrismaClient>, datamodel: pothos.getDatamodel() };
}
