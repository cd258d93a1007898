/**
 * The checkout example's entities and services over a fresh SQLite database and journal: `createApp` over the
 * example's config, its schema answered by a plain yoga instance in-process (no HTTP, no query limits). Tests may
 * pass extra entities (e.g. `order` with more actions), swap a service for a broken one, or wrap the journal.
 * The example's access rules hold: `gql` sends an admin's token unless the test passes its own Authorization
 * header (`customerHeaders()`, or `{ authorization: "" }` for an anonymous caller).
 */
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createYoga } from "graphql-yoga";
import { checkoutConfig } from "../../examples/checkout/config.ts";
import { entities as checkoutEntities, customer } from "../../examples/checkout/entities.ts";
import { seedDemoCustomers } from "../../examples/checkout/seed.ts";
import { InventoryService } from "../../examples/checkout/services/inventory-service.ts";
import { PaymentService } from "../../examples/checkout/services/payment-service.ts";
import { ShippingService } from "../../examples/checkout/services/shipping-service.ts";
import { PrismaClient } from "../../generated/checkout/sqlite/client/client.ts";
import { createApp, type CreateAppOptions } from "../../src/app/create-app.ts";
import type { GraphQLContext } from "../../src/graphql/context.ts";
import type { AnyEntity } from "../../src/action/run-action.ts";
import type { DurableRunJournal } from "../../src/engine/journal/durable-run-journal.ts";
import type { Driver } from "../../src/engine/definition/driver.ts";
import { createLogger } from "../../src/server/create-logger.ts";
import { requestContextFactory } from "../../src/server/request-context.ts";
import { adminHeaders } from "../helpers/checkout-tokens.ts";
import { createSqliteDatabaseFor, type TestDatabase } from "../helpers/test-database.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export type CheckoutPrisma = InstanceType<typeof PrismaClient>;

export interface GraphQLResult<T = Record<string, any>> {
  data?: T | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }>;
}

export interface CheckoutFixture {
  prisma: CheckoutPrisma;
  /** The driver the actions' runs use. */
  driver: Driver;
  store: DurableRunJournal;
  /** The app database's URL (the journal goes with it). */
  databaseUrl: string;
  payment: PaymentService;
  shipping: ShippingService;
  /** POSTs one operation to the in-process yoga instance, as an admin unless `headers` has an authorization. */
  gql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResult<T>>;
  close(): Promise<void>;
}

export interface CheckoutFixtureOptions {
  /** The example's `customer` is added when missing (orders belong to it). @default the checkout example's entities */
  entities?: readonly AnyEntity[];
  /** Builds the payment service over its provider file, e.g. a subclass whose refunds fail. */
  payment?: (file: string) => PaymentService;
  /** Wraps the journal the app opens, e.g. behind a fault. @default none */
  wrapRunJournal?: CreateAppOptions["wrapRunJournal"];
  /** The journal's lease, in ms. @default 30000 */
  leaseMs?: number;
}

export async function createCheckoutFixture(options: CheckoutFixtureOptions = {}): Promise<CheckoutFixture> {
  // Migrated by running the migrations' SQL: milliseconds, where the Prisma CLI takes seconds.
  const database: TestDatabase<CheckoutPrisma> = await createSqliteDatabaseFor({
    migrationsDir: join(ROOT, "prisma/sqlite/migrations"),
    PrismaClient,
  });
  await database.prisma.$disconnect();
  const providers = mkdtempSync(join(tmpdir(), "sagaql-graphql-providers-"));
  const payment = (options.payment ?? ((file) => new PaymentService(file, { slowMs: 10 })))(
    join(providers, "payment.db"),
  );
  const shipping = new ShippingService(join(providers, "shipping.db"));
  const config = checkoutConfig({ logger: createLogger({ level: "silent" }) });
  const app = await createApp({
    ...config,
    entities: withCustomers(options.entities ?? checkoutEntities),
    services: { inventoryService: new InventoryService(), paymentService: payment, shippingService: shipping },
    onStart: undefined,
    databaseUrl: database.url,
    dataDir: providers,
    migrate: false,
    recovery: { enabled: false, ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}) },
    ...(options.wrapRunJournal ? { wrapRunJournal: options.wrapRunJournal } : {}),
  });
  // The demo customers the development tokens name (the example's onStart would add them, with its products).
  await seedDemoCustomers(app.driver);
  // yoga's own context already carries the Fetch `Request` as `request`, which is what GraphQLContext asks for.
  // The example's bearer-token context too, as its server would add it.
  const context = requestContextFactory(config.requestContext);
  const yoga = createYoga<{}, GraphQLContext>({ schema: app.schema, logging: false, ...(context ? { context } : {}) });
  const gql: CheckoutFixture["gql"] = async (query, variables = {}, headers = {}) => {
    const response = await yoga.fetch("http://yoga/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", ...adminHeaders(), ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLResult<never>;
  };
  const close = async () => {
    await app.close();
    await database.close();
    await rm(providers, { recursive: true, force: true });
  };
  const prisma = app.prisma as unknown as CheckoutPrisma;
  return { prisma, driver: app.driver, store: app.store, databaseUrl: app.databaseUrl, payment, shipping, gql, close };
}

/** The example's orders belong to customers: a test's own entity list gets the example's `customer` too. */
function withCustomers(entities: readonly AnyEntity[]): readonly AnyEntity[] {
  return entities.some((entity) => entity.name === "customer") ? entities : [...entities, customer];
}

/** Adds the products an order's items name; returns their ids by SKU. */
export async function seedProducts(
  prisma: CheckoutPrisma,
  products: Array<{ sku: string; stock: number; price?: number }>,
): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const { sku, stock, price = 10 } of products) {
    ids[sku] = (await prisma.product.create({ data: { sku, name: `Product ${sku}`, price, stock } })).id;
  }
  return ids;
}

export async function createOrder(
  prisma: CheckoutPrisma,
  items: Array<{ sku: string; quantity: number }>,
  extra: { shippingCountry?: string; total?: number; customerId?: string } = {},
): Promise<string> {
  const order = await prisma.order.create({
    data: {
      items: JSON.stringify(items),
      total: extra.total ?? 20,
      ...(extra.shippingCountry ? { shippingCountry: extra.shippingCountry } : {}),
      ...(extra.customerId ? { customerId: extra.customerId } : {}),
    },
  });
  return order.id;
}

export async function stockBySku(prisma: CheckoutPrisma): Promise<Record<string, number>> {
  const products = await prisma.product.findMany();
  return Object.fromEntries(products.map((p) => [p.sku, p.stock]));
}
