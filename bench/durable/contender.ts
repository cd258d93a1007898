import type { BenchOrder } from "./checkout-fixtures.ts";

/** One way of running the checkout: the benchmark times `checkout` and afterwards checks what it left behind. */
export interface Contender {
  /** Shown in the report. */
  readonly label: string;
  /** Prefix of the contender's own products and orders. */
  readonly key: string;
  /** Runs the 4-step checkout of `order` to completion; throws when it did not complete. */
  checkout(order: BenchOrder): Promise<void>;
  /** Checks the contender's own records (journal, workflow status) against the number of checkouts it ran. */
  verifyRecords(checkouts: number): Promise<void>;
  close(): Promise<void>;
}

export function expectEqual(what: string, actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(
      `benchmark check failed: ${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
    );
  }
}
