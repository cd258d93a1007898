import type { PaymentService } from "../../examples/checkout/services/payment-service.ts";
import type { ShippingService } from "../../examples/checkout/services/shipping-service.ts";
import { withClient } from "./bench-database.ts";
import { readContenderState, unitsOf } from "./checkout-fixtures.ts";
import { expectEqual, type Contender } from "./contender.ts";
import type { OrderQueue } from "./measure-throughput.ts";

export interface WorkToVerify {
  contenders: Record<string, Contender>;
  payment: PaymentService;
  shipping: ShippingService;
}

/**
 * No contender may win by skipping work: each one's orders are completed, its stock went down by exactly what they
 * asked for, each order holds a charge and a shipment of its own that the providers really made (and did not
 * refund), no provider call happened twice, and its own records (journal, workflow status) count every run.
 */
export async function verifyWork(
  appUrl: string,
  work: WorkToVerify,
  queues: Record<string, OrderQueue>,
): Promise<void> {
  const charges = new Map(work.payment.charges().map((charge) => [charge.id, charge]));
  const shipments = new Set(work.shipping.shipments().map((shipment) => shipment.id));
  let checkouts = 0;
  for (const [key, contender] of Object.entries(work.contenders)) {
    const ran = queues[key]!.taken;
    checkouts += ran.length;
    const state = await withClient(appUrl, (client) => readContenderState(client, key));
    expectEqual(`${contender.label}: completed orders`, state.completedOrders, ran.length);
    expectEqual(`${contender.label}: units taken off stock`, state.unitsTaken, unitsOf(ran));
    expectEqual(`${contender.label}: distinct charges`, new Set(state.chargeIds).size, ran.length);
    expectEqual(`${contender.label}: distinct shipments`, new Set(state.shipmentIds).size, ran.length);
    expectEqual(
      `${contender.label}: orders whose charge the provider holds, unrefunded`,
      state.chargeIds.filter((id) => charges.get(id)?.refunded === false).length,
      ran.length,
    );
    expectEqual(
      `${contender.label}: orders whose shipment the carrier holds`,
      state.shipmentIds.filter((id) => shipments.has(id)).length,
      ran.length,
    );
    await contender.verifyRecords(ran.length);
  }
  expectEqual("charges the provider made (none twice)", charges.size, checkouts);
  expectEqual("shipments the carrier made (none twice)", shipments.size, checkouts);
}
