/**
 * A simulated third party that deduplicates by idempotency key, as real payment APIs do: the same key returns
 * the first outcome. It counts executions so tests can tell a re-run from a repeat effect.
 */
export class FakeProvider {
  readonly charges = new Map<string, { id: string; amount: number }>();
  readonly refunds = new Set<string>();
  calls = 0;
  refundCalls = 0;
  #failures = new Map<string, number>();

  /** The next `count` calls with `key` fail with a transient error. */
  failNext(key: string, count: number): void {
    this.#failures.set(key, count);
  }

  charge(key: string, amount: number): { id: string; amount: number } {
    this.calls += 1;
    const failures = this.#failures.get(key) ?? 0;
    if (failures > 0) {
      this.#failures.set(key, failures - 1);
      throw new Error("provider temporarily unavailable");
    }
    const existing = this.charges.get(key);
    if (existing) return existing;
    const charge = { id: `ch_${this.charges.size + 1}`, amount };
    this.charges.set(key, charge);
    return charge;
  }

  refund(chargeId: string): void {
    this.refundCalls += 1;
    this.refunds.add(chargeId);
  }
}
