import type { BenchOrder } from "./checkout-fixtures.ts";
import type { Contender } from "./contender.ts";

export interface Throughput {
  /** Checkouts per second of wall-clock time. */
  rate: number;
  /** This process's CPU time (user + system) per checkout, in ms: the database server's is not included. */
  cpuMs: number;
}

/**
 * Runs one checkout per order with `concurrency` of them in flight (each worker takes the next order as soon as
 * its previous checkout ends).
 */
export async function measureThroughput(
  contender: Contender,
  orders: readonly BenchOrder[],
  concurrency: number,
): Promise<Throughput> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  // A failed checkout stops every worker before the error is thrown, so none is left running (or rejecting) unseen.
  const worker = async () => {
    while (next < orders.length && !failure)
      await contender.checkout(orders[next++]!).catch((error: unknown) => void (failure ??= { error }));
  };
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  await Promise.all(Array.from({ length: Math.min(concurrency, orders.length) }, worker));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (failure) throw failure.error;
  const used = process.cpuUsage(cpu);
  return { rate: orders.length / seconds, cpuMs: (used.user + used.system) / 1000 / orders.length };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Hands out each contender's orders, never one twice: every checkout works on a pending order of its own. */
export class OrderQueue {
  #next = 0;
  constructor(readonly orders: readonly BenchOrder[]) {}

  take(count: number): BenchOrder[] {
    if (this.#next + count > this.orders.length)
      throw new Error(`benchmark bug: only ${this.orders.length} orders were seeded`);
    const taken = this.orders.slice(this.#next, this.#next + count);
    this.#next += count;
    return taken;
  }

  get taken(): readonly BenchOrder[] {
    return this.orders.slice(0, this.#next);
  }
}
