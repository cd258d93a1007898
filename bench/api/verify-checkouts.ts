import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { PaymentService } from "../../examples/checkout/services/payment-service.ts";
import { ShippingService } from "../../examples/checkout/services/shipping-service.ts";
import type { Provider } from "./bench-database.ts";
import { BENCH_SKU_PREFIX, INITIAL_STOCK } from "./bench-orders.ts";

export interface ExpectedCheckouts {
  label: string;
  provider: Provider;
  url: string;
  /** The contender's providers' files are here. */
  dataDir: string;
  checkouts: number;
  units: number;
}

interface DatabaseState {
  completed: number;
  charges: number;
  shipments: number;
  taken: number;
}

const STATE_SQL = `SELECT
  (SELECT count(*) FROM "Order" WHERE status = 'completed') AS completed,
  (SELECT count(DISTINCT "chargeId") FROM "Order" WHERE status = 'completed') AS charges,
  (SELECT count(DISTINCT "shipmentId") FROM "Order" WHERE status = 'completed') AS shipments,
  (SELECT coalesce(sum(${INITIAL_STOCK} - stock), 0) FROM "Product" WHERE sku LIKE '${BENCH_SKU_PREFIX}%') AS taken`;

/**
 * No contender may win by skipping work: once its server stopped, every order it was given is completed with a
 * charge and a shipment of its own, the stock went down by exactly what they asked for, and its providers made
 * one unrefunded charge and one shipment per checkout.
 */
export async function verifyCheckouts(expected: ExpectedCheckouts): Promise<void> {
  const state = await readState(expected.provider, expected.url);
  const payment = new PaymentService(join(expected.dataDir, "payment-provider.db"));
  const shipping = new ShippingService(join(expected.dataDir, "shipping-provider.db"));
  try {
    const made = {
      charges: payment.charges().filter((charge) => !charge.refunded).length,
      shipments: shipping.shipments().length,
    };
    const checks: Array<[string, number, number]> = [
      ["completed orders", state.completed, expected.checkouts],
      ["distinct charges on orders", state.charges, expected.checkouts],
      ["distinct shipments on orders", state.shipments, expected.checkouts],
      ["units taken off stock", state.taken, expected.units],
      ["unrefunded charges the provider made", made.charges, expected.checkouts],
      ["shipments the carrier made", made.shipments, expected.checkouts],
    ];
    for (const [what, actual, wanted] of checks) {
      if (actual !== wanted) throw new Error(`${expected.label}: ${what}: ${actual}, expected ${wanted}`);
    }
  } finally {
    payment.close();
    shipping.close();
  }
}

async function readState(provider: Provider, url: string): Promise<DatabaseState> {
  const row = provider === "sqlite" ? readSqlite(url) : await readPostgres(url);
  return {
    completed: Number(row.completed),
    charges: Number(row.charges),
    shipments: Number(row.shipments),
    taken: Number(row.taken),
  };
}

type Row = Record<keyof DatabaseState, number | string | bigint>;

function readSqlite(url: string): Row {
  const db = new Database(url.replace(/^file:/, ""), { readonly: true });
  try {
    return db.prepare(STATE_SQL).get() as Row;
  } finally {
    db.close();
  }
}

async function readPostgres(url: string): Promise<Row> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(STATE_SQL)).rows[0]!;
  } finally {
    await client.end();
  }
}
