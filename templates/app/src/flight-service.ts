import { NonRetryableError } from "sagaql";

export interface Booking {
  id: string;
  destination: string;
  seats: number;
}

/** A stand-in for an airline's API: keeps its bookings in memory. Replace it with the real client. */
export class FlightService {
  readonly bookings = new Map<string, Booking>();
  #next = 1;

  async book(destination: string, seats: number): Promise<Booking> {
    if (destination.trim() === "") throw new NonRetryableError("No flights to an empty destination");
    const booking = { id: `bk_${this.#next++}`, destination, seats };
    this.bookings.set(booking.id, booking);
    return booking;
  }

  async cancel(id: string): Promise<void> {
    this.bookings.delete(id);
  }
}
