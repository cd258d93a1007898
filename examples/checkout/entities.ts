import { action, belongsTo, entity, float, hasMany, int, NonRetryableError, step, string } from "../../src/index.ts";
import { callerOf, isAdmin, ownRows } from "./auth/checkout-user.ts";
import { orderTotal } from "./order-total.ts";
import type { InventoryService, Reservation } from "./services/inventory-service.ts";
import type { Charge, PaymentService } from "./services/payment-service.ts";
import type { Shipment, ShippingService } from "./services/shipping-service.ts";

// Anyone may browse the catalogue; only admins change it.
export const product = entity("product", {
  name: string,
  sku: string.unique(),
  price: float.min(0),
  stock: int.min(0),
}).access({
  read: () => true,
  create: ({ request }) => isAdmin(request),
  update: ({ request }) => isAdmin(request),
  delete: ({ request }) => isAdmin(request),
});

// A customer's id is the `sub` of their token: they see their own row, admins every row and create them.
export const customer = entity("customer", {
  name: string,
  email: string.unique(),
  orders: hasMany("order"),
}).access({
  read: ({ request }) => isAdmin(request) || ownRows(request, "id"),
  create: ({ request }) => isAdmin(request),
  update: ({ request }) => isAdmin(request),
  delete: ({ request }) => isAdmin(request),
});

export const order = entity("order", {
  items: string.maxLength(10_000), // JSON array of {sku, quantity}
  total: float.min(0),
  // Written by the checkout's steps only.
  status: string.default("pending").serverOnly(),
  chargeId: string.optional().serverOnly(),
  shipmentId: string.optional().serverOnly(),
  shippingCountry: string.default("US"),
  // Optional: orders placed before customers existed keep their rows; a customer's new order is always theirs.
  customer: belongsTo("customer").optional(),
})
  .computeOnCreate({ total: ({ data, driver }) => orderTotal(data.items, driver) })
  .actions({
    checkout: action({
      description: "Reserve stock, charge the card, ship, and complete the order — or undo what was done.",
    })
      .input({ paymentMethodId: string })
      .workflow(
        [
          step(
            "reserve-inventory",
            async (ctx) => {
              if (ctx.resource.status !== "pending") {
                throw new NonRetryableError(`Order ${ctx.resourceId} is ${ctx.resource.status}, not pending`);
              }
              const inventory = ctx.resolve<InventoryService>("inventoryService");
              const reservation = await inventory.reserve(ctx.driver, `res_${ctx.runId}`, ctx.resource.items);
              ctx.set("reservationId", reservation.id);
              return reservation;
            },
            async (ctx, reservation: Reservation) => {
              await ctx.resolve<InventoryService>("inventoryService").release(ctx.driver, reservation);
            },
            // Stock is in our database: the transaction's rollback already puts it back.
            { effect: "database" },
          ),
          step(
            "charge-payment",
            async (ctx) => {
              const charge: Charge = await ctx.resolve<PaymentService>("paymentService").charge({
                amount: ctx.resource.total,
                paymentMethod: ctx.input.paymentMethodId,
                idempotencyKey: ctx.idempotencyKey,
                signal: ctx.signal,
              });
              ctx.set("chargeId", charge.id);
              return charge;
            },
            async (ctx, charge) => {
              await ctx.resolve<PaymentService>("paymentService").refund(charge.id, { signal: ctx.signal });
            },
            // A charge still unanswered after 10 s is abandoned (the signal stops it) and tried again under its key.
            // A failed refund is tried again too; one that fails every time leaves the run FAILED for a person.
            {
              retry: { maxAttempts: 3, delay: 200, backoff: 2 },
              compensationRetry: { maxAttempts: 3, delay: 200, backoff: 2 },
              timeout: 10_000,
            },
          ),
          step(
            "create-shipment",
            async (ctx) => {
              const shipment: Shipment = await ctx.resolve<ShippingService>("shippingService").create({
                orderId: ctx.resourceId ?? "",
                items: ctx.resource.items,
                country: ctx.resource.shippingCountry,
                idempotencyKey: ctx.idempotencyKey,
                signal: ctx.signal,
              });
              ctx.set("shipmentId", shipment.id);
              return shipment;
            },
            // No compensation: a parcel cannot be un-shipped.
          ),
          step("finalize", async (ctx) => {
            const chargeId = ctx.get("chargeId") as string;
            const shipmentId = ctx.get("shipmentId") as string;
            // Guarded on "pending": of two concurrent checkouts of one order, only one can complete it.
            const changed = await ctx.driver.updateMany(
              "order",
              { id: ctx.resourceId, status: "pending" },
              { status: "completed", chargeId, shipmentId },
            );
            if (changed === 0) throw new NonRetryableError(`Order ${ctx.resourceId} was completed by another checkout`);
            return { success: true as const, chargeId, shipmentId };
          }),
        ],
        // Once the parcel shipped, refunding the card would leave "refunded but shipped": a failure after it is
        // retried forward until the order completes (or a person is called), never compensated.
        { useTransaction: true, forwardRecovery: true },
      ),
  })
  .access({
    read: ({ request }) => isAdmin(request) || ownRows(request, "customerId"),
    // The filter's equality fills customerId with the caller's sub, and refuses another one.
    create: ({ request }) => isAdmin(request) || (callerOf(request) ? ownRows(request, "customerId") : false),
    update: ({ request }) => isAdmin(request),
    delete: ({ request }) => isAdmin(request),
    actions: { checkout: ({ request }) => isAdmin(request) || ownRows(request, "customerId") },
  });

export const entities = [product, customer, order] as const;
