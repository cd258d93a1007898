import { DBOS } from "@dbos-inc/dbos-sdk";
import pg from "pg";
import type { Charge, PaymentService } from "../../examples/checkout/services/payment-service.ts";
import type { Shipment, ShippingService } from "../../examples/checkout/services/shipping-service.ts";
import type { BenchOrder } from "./checkout-fixtures.ts";
import { withClient } from "./bench-database.ts";
import { expectEqual, type Contender } from "./contender.ts";

export interface DbosContenderOptions {
  label: string;
  key: string;
  appUrl: string;
  systemDatabaseUrl: string;
  payment: PaymentService;
  shipping: ShippingService;
  /** Connections of the app pool and of DBOS's system-database pool. */
  poolSize: number;
}

interface Reservation {
  id: string;
  items: Array<{ sku: string; quantity: number }>;
}

const WORKFLOW = "order.checkout";

/**
 * The same checkout written the DBOS way: a registered workflow whose steps are `DBOS.runStep` calls, the database
 * ones each around its own `pg` transaction (DBOS's Prisma data source does not start with SDK 5.3), compensation
 * in a catch block. Same SQL effects as the example's steps, same simulated providers, same idempotency keys.
 */
export async function dbosContender(options: DbosContenderOptions): Promise<Contender> {
  const app = new pg.Pool({
    connectionString: options.appUrl,
    max: options.poolSize,
    application_name: "bench-dbos-app",
  });
  const checkout = DBOS.registerWorkflow(checkoutWorkflow(app, options.payment, options.shipping), { name: WORKFLOW });
  DBOS.setConfig({
    name: "sagaql-bench",
    systemDatabaseUrl: options.systemDatabaseUrl,
    systemDatabasePoolSize: options.poolSize,
    logLevel: "error",
  });
  await DBOS.launch();
  return {
    label: options.label,
    key: options.key,
    async checkout(order: BenchOrder): Promise<void> {
      const result = await checkout(order, "pm_card_visa");
      if (!result.success) throw new Error(`DBOS checkout of ${order.id} did not complete`);
    },
    async verifyRecords(checkouts: number): Promise<void> {
      const done = await withClient(options.systemDatabaseUrl, (client) =>
        client.query<{ n: string }>(
          "SELECT count(*) AS n FROM dbos.workflow_status WHERE name = $1 AND status = 'SUCCESS'",
          [WORKFLOW],
        ),
      );
      expectEqual(`${options.label}: workflows SUCCESS in DBOS's system database`, Number(done.rows[0]!.n), checkouts);
    },
    async close(): Promise<void> {
      await DBOS.shutdown();
      await app.end();
    },
  };
}

/** The workflow's body: each step a `DBOS.runStep`, the undoing of earlier steps in catch blocks. */
function checkoutWorkflow(app: pg.Pool, payment: PaymentService, shipping: ShippingService) {
  const key = (step: string) => `${DBOS.workflowID}:${step}`;
  const reserve = (order: BenchOrder) =>
    DBOS.runStep(() => inTransaction(app, (client) => takeStock(client, `res_${DBOS.workflowID}`, order.items)), {
      name: "reserve-inventory",
    });
  const release = (reservation: Reservation) =>
    DBOS.runStep(() => inTransaction(app, (client) => putBack(client, reservation)), { name: "release-inventory" });
  const charge = (order: BenchOrder, paymentMethodId: string) =>
    DBOS.runStep(
      () =>
        payment.charge({ amount: order.total, paymentMethod: paymentMethodId, idempotencyKey: key("charge-payment") }),
      {
        name: "charge-payment",
        retriesAllowed: true,
        maxAttempts: 3,
        intervalSeconds: 0.2,
        backoffRate: 2,
      },
    );
  const ship = (order: BenchOrder) =>
    DBOS.runStep(
      () =>
        shipping.create({
          orderId: order.id,
          items: order.items,
          country: order.shippingCountry,
          idempotencyKey: key("create-shipment"),
        }),
      {
        name: "create-shipment",
      },
    );

  return async (order: BenchOrder, paymentMethodId: string) => {
    const reservation = await reserve(order);
    let charged: Charge;
    try {
      charged = await charge(order, paymentMethodId);
    } catch (error) {
      await release(reservation);
      throw error;
    }
    let shipment: Shipment;
    try {
      shipment = await ship(order);
    } catch (error) {
      await DBOS.runStep(() => payment.refund(charged.id), { name: "refund-payment" });
      await release(reservation);
      throw error;
    }
    return DBOS.runStep(() => complete(app, order.id, charged.id, shipment.id), { name: "finalize" });
  };
}

async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const value = await work(client);
    await client.query("COMMIT");
    return value;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The example's reservation: each item taken off its product's stock under a stock ≥ quantity guard, or none. */
async function takeStock(client: pg.PoolClient, id: string, itemsJson: string): Promise<Reservation> {
  const items = JSON.parse(itemsJson) as Reservation["items"];
  for (const item of items) {
    const taken = await client.query(
      `UPDATE "Product" SET stock = stock - $2, "updatedAt" = now() WHERE sku = $1 AND stock >= $2`,
      [item.sku, item.quantity],
    );
    if (taken.rowCount === 0) throw new Error(`Insufficient stock for ${item.sku}`);
  }
  return { id, items };
}

async function putBack(client: pg.PoolClient, reservation: Reservation): Promise<void> {
  for (const item of reservation.items) {
    await client.query(`UPDATE "Product" SET stock = stock + $2, "updatedAt" = now() WHERE sku = $1`, [
      item.sku,
      item.quantity,
    ]);
  }
}

/** The example's finalize: guarded on "pending", so of two checkouts of one order only one completes it. */
async function complete(
  pool: pg.Pool,
  orderId: string,
  chargeId: string,
  shipmentId: string,
): Promise<{ success: true; chargeId: string; shipmentId: string }> {
  const changed = await pool.query(
    `UPDATE "Order" SET status = 'completed', "chargeId" = $2, "shipmentId" = $3, "updatedAt" = now() WHERE id = $1 AND status = 'pending'`,
    [orderId, chargeId, shipmentId],
  );
  if (changed.rowCount === 0) throw new Error(`Order ${orderId} was completed by another checkout`);
  return { success: true, chargeId, shipmentId };
}
