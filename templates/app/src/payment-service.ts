import { NonRetryableError } from "sagaql";

export interface Charge {
  id: string;
  amount: number;
}

/** A stand-in for a card processor: the card "declined" is refused, every other card is charged. */
export class PaymentService {
  readonly charges: Charge[] = [];

  async charge(card: string, amount: number): Promise<Charge> {
    // NonRetryableError: a declined card stays declined, so the step is not retried and the saga compensates.
    if (card === "declined") throw new NonRetryableError("The card was declined");
    const charge = { id: `ch_${this.charges.length + 1}`, amount };
    this.charges.push(charge);
    return charge;
  }
}
