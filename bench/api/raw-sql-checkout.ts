import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { parseOrderItems } from "../../examples/checkout/order-items.ts";
import { PaymentService } from "../../examples/checkout/services/payment-service.ts";
import { ShippingService } from "../../examples/checkout/services/shipping-service.ts";
import type { Provider } from "./bench-database.ts";
import type { CheckoutProviders } from "./handwritten-checkout.ts";

/** The floor: the same statements with the database's own driver, in this process (no HTTP, no GraphQL, no Prisma). */
export interface RawSqlCheckout {
  checkout(id: string): Promise<void>;
  providers: CheckoutProviders;
  close(): Promise<void>;
}

interface OrderRow {
  items: string;
  total: number;
  status: string;
  shippingCountry: string;
}

/** Statements of one transaction, whichever driver runs them. */
interface Statements {
  readOrder(id: string): Promise<OrderRow | undefined>;
  takeStock(sku: string, quantity: number): Promise<number>;
  completeOrder(id: string, chargeId: string, shipmentId: string): Promise<number>;
}

const READ_ORDER = `SELECT items, total, status, "shippingCountry" FROM "Order" WHERE id = `;
const TAKE_STOCK = `UPDATE "Product" SET stock = stock - $1, "updatedAt" = $2 WHERE sku = $3 AND stock >= $1`;
const COMPLETE = `UPDATE "Order" SET status = 'completed', "chargeId" = $1, "shipmentId" = $2, "updatedAt" = $3 WHERE id = $4 AND status = 'pending'`;

/** Opens the floor on a migrated, seeded database; the providers are the example's classes on files in `dataDir`. */
export async function rawSqlCheckout(provider: Provider, url: string, dataDir: string): Promise<RawSqlCheckout> {
  const providers = {
    payment: new PaymentService(join(dataDir, "payment-provider.db")),
    shipping: new ShippingService(join(dataDir, "shipping-provider.db")),
  };
  const closeProviders = () => {
    providers.payment.close();
    providers.shipping.close();
  };
  const transaction = provider === "sqlite" ? sqliteTransactions(url) : postgresTransactions(url);
  return {
    providers,
    checkout: (id) => transaction.run((statements) => checkoutWith(statements, providers, id)),
    close: async () => {
      await transaction.close();
      closeProviders();
    },
  };
}

async function checkoutWith(sql: Statements, providers: CheckoutProviders, id: string): Promise<void> {
  const order = await sql.readOrder(id);
  if (!order || order.status !== "pending") throw new Error(`Order ${id} is not pending`);
  for (const item of parseOrderItems(order.items)) {
    if ((await sql.takeStock(item.sku, item.quantity)) === 0) throw new Error(`Insufficient stock for ${item.sku}`);
  }
  const key = `checkout-${id}`;
  const charge = await providers.payment.charge({
    amount: order.total,
    paymentMethod: "pm_card_visa",
    idempotencyKey: key,
  });
  try {
    const shipment = await providers.shipping.create({
      orderId: id,
      items: order.items,
      country: order.shippingCountry,
      idempotencyKey: key,
    });
    if ((await sql.completeOrder(id, charge.id, shipment.id)) === 0)
      throw new Error(`Order ${id} was completed by another checkout`);
  } catch (error) {
    await providers.payment.refund(charge.id);
    throw error;
  }
}

interface Transactions {
  run(work: (statements: Statements) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/**
 * One connection, as SQLite has one writer: transactions take turns (a FIFO chain), since the provider calls in
 * the middle yield the event loop. WAL and FULL synchronous, as the app's connections have.
 */
function sqliteTransactions(url: string): Transactions {
  const db = new Database(url.replace(/^file:/, ""));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("busy_timeout = 10000");
  // Named parameters: SQLite's `@name` where PostgreSQL has `$n`.
  const named = (text: string, names: string[]) =>
    text.replace(/\$(\d)/g, (_, n: string) => `@${names[Number(n) - 1]}`);
  const readOrder = db.prepare(`${READ_ORDER}?`);
  const takeStock = db.prepare(named(TAKE_STOCK, ["quantity", "now", "sku"]));
  const complete = db.prepare(named(COMPLETE, ["chargeId", "shipmentId", "now", "id"]));
  const statements: Statements = {
    readOrder: async (id) => readOrder.get(id) as OrderRow | undefined,
    takeStock: async (sku, quantity) => takeStock.run({ quantity, now: Date.now(), sku }).changes,
    completeOrder: async (id, chargeId, shipmentId) =>
      complete.run({ chargeId, shipmentId, now: Date.now(), id }).changes,
  };
  let tail: Promise<void> = Promise.resolve();
  const run = (work: (statements: Statements) => Promise<void>) => {
    const turn = tail.then(async () => {
      db.exec("BEGIN IMMEDIATE");
      try {
        await work(statements);
        db.exec("COMMIT");
      } catch (error) {
        db.exec("ROLLBACK");
        throw error;
      }
    });
    tail = turn.catch(() => undefined);
    return turn;
  };
  return { run, close: async () => void (await tail, db.close()) };
}

/** A pool of 10 connections, the app's default. */
function postgresTransactions(url: string): Transactions {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const run = async (work: (statements: Statements) => Promise<void>) => {
    const client = await pool.connect();
    const statements: Statements = {
      readOrder: async (id) => (await client.query<OrderRow>(`${READ_ORDER}$1`, [id])).rows[0],
      takeStock: async (sku, quantity) => (await client.query(TAKE_STOCK, [quantity, new Date(), sku])).rowCount ?? 0,
      completeOrder: async (id, chargeId, shipmentId) =>
        (await client.query(COMPLETE, [chargeId, shipmentId, new Date(), id])).rowCount ?? 0,
    };
    try {
      await client.query("BEGIN");
      await work(statements);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };
  return { run, close: () => pool.end() };
}
