import type pg from "pg";

/** One pending order of the checkout example, as the checkout reads it (`ctx.resource`). */
export interface BenchOrder {
  id: string;
  items: string;
  total: number;
  status: string;
  shippingCountry: string;
  chargeId: string | null;
  shipmentId: string | null;
}

/** What a contender's work should have left behind, to compare with what it did leave. */
export interface ExpectedWork {
  completedOrders: number;
  unitsTaken: number;
}

const PRODUCTS_PER_CONTENDER = 64;
const INITIAL_STOCK = 10_000_000;

/**
 * Products and pending orders of one contender, under its own key prefix so each contender's work can be checked
 * on its own. Each order asks for one product (spread over 64, so concurrent checkouts rarely queue on one row's
 * lock) in a quantity of 1 to 3.
 */
export async function seedContender(client: pg.Client, key: string, orders: number): Promise<BenchOrder[]> {
  const skus = Array.from({ length: PRODUCTS_PER_CONTENDER }, (_, i) => `${key}-sku-${i}`);
  await client.query(
    `INSERT INTO "Product" (id, "updatedAt", name, sku, price, stock)
     SELECT s, now(), 'Bench product ' || s, s, 10, $2 FROM unnest($1::text[]) AS s`,
    [skus, INITIAL_STOCK],
  );
  const rows: BenchOrder[] = Array.from({ length: orders }, (_, n) => {
    const quantity = 1 + (n % 3);
    return {
      id: `${key}-order-${n}`,
      items: JSON.stringify([{ sku: skus[(n * 7) % skus.length], quantity }]),
      total: 10 * quantity,
      status: "pending",
      shippingCountry: "US",
      chargeId: null,
      shipmentId: null,
    };
  });
  await client.query(
    `INSERT INTO "Order" (id, "updatedAt", items, total) SELECT o.id, now(), o.items, o.total FROM unnest($1::text[], $2::text[], $3::float8[]) AS o (id, items, total)`,
    [rows.map((o) => o.id), rows.map((o) => o.items), rows.map((o) => o.total)],
  );
  return rows;
}

/** Units the given orders take off the stock. */
export function unitsOf(orders: readonly BenchOrder[]): number {
  return orders.reduce((sum, order) => sum + (JSON.parse(order.items) as Array<{ quantity: number }>)[0]!.quantity, 0);
}

export interface ContenderState {
  completedOrders: number;
  unitsTaken: number;
  chargeIds: string[];
  shipmentIds: string[];
}

/** What the app database says the contender did: completed orders with their charge and shipment, stock taken. */
export async function readContenderState(client: pg.Client, key: string): Promise<ContenderState> {
  const orders = await client.query<{ chargeId: string | null; shipmentId: string | null }>(
    `SELECT "chargeId", "shipmentId" FROM "Order" WHERE id LIKE $1 AND status = 'completed'`,
    [`${key}-order-%`],
  );
  const stock = await client.query<{ taken: string }>(
    `SELECT coalesce(sum($2::bigint - stock), 0) AS taken FROM "Product" WHERE sku LIKE $1`,
    [`${key}-sku-%`, INITIAL_STOCK],
  );
  return {
    completedOrders: orders.rowCount ?? 0,
    unitsTaken: Number(stock.rows[0]!.taken),
    chargeIds: orders.rows.map((row) => row.chargeId ?? ""),
    shipmentIds: orders.rows.map((row) => row.shipmentId ?? ""),
  };
}
