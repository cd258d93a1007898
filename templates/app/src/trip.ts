import { action, entity, int, NonRetryableError, step, string } from "sagaql";
import type { FlightService } from "./flight-service.js";
import type { PaymentService } from "./payment-service.js";

export const trip = entity("trip", {
  traveller: string,
  destination: string,
  seats: int.min(1).default(1),
  // Written by the saga, never by a client.
  status: string.default("planned").serverOnly(),
  bookingId: string.optional().serverOnly(),
  chargeId: string.optional().serverOnly(),
}).actions({
  // `tripBook(id, input)`: a saga. When a step fails, the steps before it are compensated in reverse order.
  book: action({ description: "Book the flight, charge the card and confirm the trip — or cancel the flight again." })
    .input({ card: string.secret() })
    .workflow([
      step(
        "book-flight",
        async (ctx) => {
          if (ctx.resource.status !== "planned")
            throw new NonRetryableError(`Trip ${ctx.resourceId} is ${ctx.resource.status}, not planned`);
          const booking = await ctx
            .resolve<FlightService>("flights")
            .book(ctx.resource.destination, ctx.resource.seats);
          ctx.set("bookingId", booking.id);
          return booking;
        },
        // The compensation: runs when a later step fails, with what this step returned.
        async (ctx, booking) => ctx.resolve<FlightService>("flights").cancel(booking.id),
      ),
      step("charge-card", async (ctx) => {
        const charge = await ctx.resolve<PaymentService>("payments").charge(ctx.input.card, 120 * ctx.resource.seats);
        ctx.set("chargeId", charge.id);
        return charge;
      }),
      step("confirm", async (ctx) => {
        const bookingId = ctx.get("bookingId") as string;
        const chargeId = ctx.get("chargeId") as string;
        await ctx.driver.update("trip", { id: ctx.resourceId }, { status: "booked", bookingId, chargeId });
        return { bookingId, chargeId };
      }),
    ]),
});
