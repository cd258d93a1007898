import type { GraphQLSchema } from "graphql";
import { join } from "node:path";
import { buildSchema } from "../../src/graphql/build-schema.ts";
import { openDatabase, providerOf, type PrismaClientClass } from "../../src/persistence/open-database.ts";
import { openRunStore } from "../../src/persistence/open-run-store.ts";
import type { ActionRuntime } from "../../src/runtime/run-action.ts";
import { ServiceRegistry, type Driver, type Logger, type RunStore } from "../../src/index.ts";
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
  store: RunStore;
  services: CheckoutServices;
  /** Probes for the server's `/health`: the app database and the run journal answer. */
  healthChecks: Record<string, () => Promise<unknown>>;
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
  const store = await openRunStore(options.databaseUrl);
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
  const schema = buildSchema({ entities, runtime, prisma: database.prisma, datamodel });
  const healthChecks = {
    database: () => database.prisma.$queryRawUnsafe("SELECT 1"),
    journal: () => store.getRun("health-probe"),
  };
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      services.payment.close();
      services.shipping.close();
      await store.close?.();
      await database.close();
    })());
  return { schema, runtime, driver: database.driver, store, services, healthChecks, close };
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
