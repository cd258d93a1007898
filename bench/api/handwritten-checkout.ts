import { parseOrderItems } from "../../examples/checkout/order-items.ts";
import type { Charge, PaymentService } from "../../examples/checkout/services/payment-service.ts";
import type { ShippingService } from "../../examples/checkout/services/shipping-service.ts";
import type { CheckoutPrisma } from "./checkout-prisma-client.ts";

export interface CheckoutProviders {
  payment: PaymentService;
  shipping: ShippingService;
}

/** What the resolver returns: the completed order. */
export interface CompletedOrder {
  id: string;
  status: string;
  chargeId: string | null;
  shipmentId: string | null;
}

/** The same limits the framework's driver gives its transactions: long enough for a queue of 200 on SQLite. */
const TRANSACTION = { maxWait: 10_000, timeout: 30_000 };

/**
 * The checkout as one would write it by hand: one Prisma interactive transaction that reserves the stock (guarded
 * decrements), charges the card and creates the shipment with the providers, and completes the order (guarded on
 * "pending"). If anything after the charge fails, the transaction rolls back the stock and the order, and the
 * charge is refunded.
 */
export async function handwrittenCheckout(
  prisma: CheckoutPrisma,
  providers: CheckoutProviders,
  id: string,
  paymentMethodId: string,
): Promise<CompletedOrder> {
  let charge: Charge | undefined;
  try {
    return await prisma.$transaction(async (tx) => {
      const order = await tx.order.findUnique({ where: { id } });
      if (!order) throw new Error(`No order ${id}`);
      if (order.status !== "pending") throw new Error(`Order ${id} is ${order.status}, not pending`);
      for (const item of parseOrderItems(order.items)) {
        const taken = await tx.product.updateMany({
          where: { sku: item.sku, stock: { gte: item.quantity } },
          data: { stock: { decrement: item.quantity } },
        });
        if (taken.count === 0) throw new Error(`Insufficient stock for ${item.sku}`);
      }
      const key = `checkout-${id}`;
      charge = await providers.payment.charge({
        amount: order.total,
        paymentMethod: paymentMethodId,
        idempotencyKey: key,
      });
      const shipment = await providers.shipping.create({
        orderId: id,
        items: order.items,
        country: order.shippingCountry,
        idempotencyKey: key,
      });
      return tx.order.update({
        where: { id, status: "pending" },
        data: { status: "completed", chargeId: charge.id, shipmentId: shipment.id },
        select: { id: true, status: true, chargeId: true, shipmentId: true },
      });
    }, TRANSACTION);
  } catch (error) {
    if (charge) await providers.payment.refund(charge.id);
    throw error;
  }
}
