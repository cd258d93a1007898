/** Throughput and latency of one batch of checkouts. */
export interface LoadResult {
  requests: number;
  seconds: number;
  /** Every checkout's latency, in ms, in completion order. */
  latenciesMs: number[];
}

/**
 * Runs `checkout` once per id with `concurrency` of them in flight: each worker takes the next id as soon as its
 * previous checkout answered, as a closed-loop client would. A failed checkout stops every worker, then fails the run.
 */
export async function measureLoad(
  checkout: (id: string) => Promise<void>,
  ids: readonly string[],
  concurrency: number,
): Promise<LoadResult> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const latenciesMs: number[] = [];
  const worker = async () => {
    while (next < ids.length && !failure) {
      const id = ids[next++]!;
      const started = performance.now();
      try {
        await checkout(id);
        latenciesMs.push(performance.now() - started);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
  const seconds = (performance.now() - started) / 1000;
  if (failure) throw failure.error;
  return { requests: ids.length, seconds, latenciesMs };
}

/** The `p`-th percentile (0–100) by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
