/**
 * The checkout example's entities and services over a fresh database and journal, on SQLite or PostgreSQL, with
 * both ways in: `runAction` directly and an in-process yoga instance over the schema of `createApp`. The payment provider's
 * own file is what "charged once" is checked against.
 */
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createYoga } from "graphql-yoga";
import { order } from "../../examples/checkout/entities.ts";
import { seedDemoCustomers } from "../../examples/checkout/seed.ts";
import { requestContextFactory } from "../../src/server/request-context.ts";
import { ADMIN_REQUEST, adminHeaders } from "../helpers/checkout-tokens.ts";
import { InventoryService } from "../../examples/checkout/services/inventory-service.ts";
import { PaymentService } from "../../examples/checkout/services/payment-service.ts";
import { ShippingService } from "../../examples/checkout/services/shipping-service.ts";
import { PrismaClient as PostgresClient } from "../../generated/checkout/postgresql/client/client.ts";
import { PrismaClient as SqliteClient } from "../../generated/checkout/sqlite/client/client.ts";
import { checkoutConfig } from "../../examples/checkout/config.ts";
import { createApp } from "../../src/app/create-app.ts";
import type { RunControlOptions } from "../../src/graphql/run-control.ts";
import type { GraphQLContext } from "../../src/graphql/context.ts";
import {
  runAction,
  type ActionRuntime,
  type ActionSuccess,
  type RunActionRequest,
} from "../../src/action/run-action.ts";
import type { DurableRunJournal } from "../../src/engine/journal/durable-run-journal.ts";
import { createLogger } from "../../src/server/create-logger.ts";
import type { Provider } from "../helpers/fresh-database.ts";
import { createPostgresDatabaseFor, createSqliteDatabaseFor, type TestDatabase } from "../helpers/test-database.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** What the tests use of either provider's generated client. */
export interface CheckoutRows {
  product: {
    create(args: { data: { sku: string; name: string; price: number; stock: number } }): Promise<{ id: string }>;
    findMany(): Promise<Array<{ sku: string; stock: number }>>;
  };
  order: {
    create(args: { data: { items: string; total: number; shippingCountry?: string } }): Promise<{ id: string }>;
  };
}

export interface IdempotencyFixture {
  provider: Provider;
  /** Mutable: tests shorten `idempotencyWaitMs` on it; the GraphQL schema reads the same object. */
  runtime: ActionRuntime;
  store: DurableRunJournal;
  payment: PaymentService;
  rows: CheckoutRows;
  /** `order.checkout` through `runAction`. */
  checkout(request: RunActionRequest): Promise<ActionSuccess>;
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<{ data?: T | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }>;
  /** A pending order for `quantity` of a fresh product with `stock`. */
  newOrder(options?: {
    stock?: number;
    quantity?: number;
    shippingCountry?: string;
  }): Promise<{ orderId: string; sku: string }>;
  stockOf(sku: string): Promise<number | undefined>;
  close(): Promise<void>;
}

export interface IdempotencyFixtureOptions {
  /** How long `pm_card_slow` takes, in ms. @default 300 */
  slowCardMs?: number;
  /** @default 15000, the runtime's own default */
  idempotencyWaitMs?: number;
  /** Builds the payment service over its provider file, e.g. one whose refunds fail. @default PaymentService */
  payment?: (file: string, slowMs: number) => PaymentService;
  /** buildSchema's `runControl`. @default none */
  runControl?: RunControlOptions;
}

export async function createIdempotencyFixture(
  provider: Provider,
  options: IdempotencyFixtureOptions = {},
): Promise<IdempotencyFixture> {
  // Migrated by running the migrations' SQL: milliseconds, where the Prisma CLI takes seconds.
  const database = await openCheckoutDatabase(provider);
  await (database.prisma as { $disconnect(): Promise<void> }).$disconnect();
  const providers = mkdtempSync(join(tmpdir(), "sagaql-idempotency-providers-"));
  const slowMs = options.slowCardMs ?? 300;
  const payment = options.payment
    ? options.payment(join(providers, "payment.db"), slowMs)
    : new PaymentService(join(providers, "payment.db"), { slowMs });
  const shipping = new ShippingService(join(providers, "shipping.db"));
  const config = checkoutConfig({ logger: createLogger({ level: "silent" }) });
  const app = await createApp({
    ...config,
    services: { inventoryService: new InventoryService(), paymentService: payment, shippingService: shipping },
    onStart: undefined,
    databaseUrl: database.url,
    dataDir: providers,
    migrate: false,
    recovery: { enabled: false },
    ...(options.runControl ? { runControl: options.runControl } : {}),
  });
  const { runtime, store } = app;
  if (options.idempotencyWaitMs !== undefined) runtime.idempotencyWaitMs = options.idempotencyWaitMs;
  await seedDemoCustomers(app.driver);
  // The example's bearer-token context, as its server adds it; `gql` calls as an admin.
  const context = requestContextFactory(config.requestContext);
  const yoga = createYoga<{}, GraphQLContext>({ schema: app.schema, logging: false, ...(context ? { context } : {}) });
  const rows = app.prisma as unknown as CheckoutRows;
  let products = 0;
  return {
    provider,
    runtime,
    store,
    payment,
    rows,
    // As an admin, whom the example's rules let check out any order; a test may send other headers.
    checkout: (request) => runAction(runtime, order, "checkout", { request: ADMIN_REQUEST, ...request }),
    gql: async (query, variables = {}, headers = {}) => {
      const response = await yoga.fetch("http://yoga/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", ...adminHeaders(), ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as never;
    },
    newOrder: async ({ stock = 5, quantity = 2, shippingCountry } = {}) => {
      const sku = `SKU-${++products}`;
      await rows.product.create({ data: { sku, name: `Product ${sku}`, price: 10, stock } });
      const items = JSON.stringify([{ sku, quantity }]);
      const { id } = await rows.order.create({
        data: { items, total: 10 * quantity, ...(shippingCountry ? { shippingCountry } : {}) },
      });
      return { orderId: id, sku };
    },
    stockOf: async (sku) => (await rows.product.findMany()).find((product) => product.sku === sku)?.stock,
    close: async () => {
      await app.close();
      await database.close();
      await rm(providers, { recursive: true, force: true });
    },
  };
}

function openCheckoutDatabase(provider: Provider): Promise<TestDatabase<unknown>> {
  const migrationsDir = join(ROOT, "prisma", provider, "migrations");
  return provider === "postgresql"
    ? createPostgresDatabaseFor({ migrationsDir, PrismaClient: PostgresClient })
    : createSqliteDatabaseFor({ migrationsDir, PrismaClient: SqliteClient });
}
