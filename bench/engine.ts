/**
 * Per-step overhead of the saga engine: a 4-step in-memory workflow run through `executeWorkflow` (no journal)
 * against a plain sequential `await` loop doing the same work, in the same process.
 *
 * After a warm-up, many short rounds (a few ms each) alternate between the two, so that drift (JIT tiers, GC pressure, CPU
 * frequency, other processes) hits both alike; the reported ratio is the median of the per-round ratios, so
 * one noisy round cannot move it. `BENCH_ROUNDS` and `BENCH_RUNS` override the defaults.
 *
 *     npm run bench:engine
 */
import { executeWorkflow, workflow, type Driver } from "../src/index.ts";

const STEPS = 4;
const RUNS_PER_ROUND = Number(process.env.BENCH_RUNS ?? 5_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 161);
const WARMUP_RUNS = 100_000;
const TARGET = 0.85;

type Input = { orderId: number };

// The work itself, shared by both contestants: small pure functions of the input, so what differs is only
// how the steps are sequenced. Sharing data through ctx.set/get is left out on purpose: it is a cost per
// call that a hand-written loop pays differently (local variables), not a cost per step.
const reserveStock = (orderId: number) => ({ reservation: orderId * 31 + 7 });
const chargeCard = (orderId: number) => ({ charge: (orderId ^ 0x5bd1e995) >>> 0 });
const createShipment = (orderId: number) => ({ shipment: (orderId << 3) + 1 });
const finish = (orderId: number) => ({ success: true, shipment: (orderId << 3) + 1 });

/** The baseline: the same async steps awaited in sequence by hand, their results kept (undoing needs them). */
const plainSteps: Array<(input: Input) => Promise<unknown>> = [
  async (input) => reserveStock(input.orderId),
  async (input) => chargeCard(input.orderId),
  async (input) => createShipment(input.orderId),
  async (input) => finish(input.orderId),
];

async function plainLoop(orderId: number): Promise<unknown> {
  const input = { orderId };
  const results: unknown[] = [];
  for (let i = 0; i < plainSteps.length; i++) results.push(await plainSteps[i]!(input));
  return results[results.length - 1];
}

/** Ours: the same steps as a workflow, two of them with a compensation (never run: nothing fails). */
const checkout = workflow<Input>("bench-checkout")
  .step(
    "reserve",
    async (ctx) => reserveStock(ctx.input.orderId),
    async () => {},
  )
  .step(
    "charge",
    async (ctx) => chargeCard(ctx.input.orderId),
    async () => {},
  )
  .step("ship", async (ctx) => createShipment(ctx.input.orderId))
  .step("finalize", async (ctx) => finish(ctx.input.orderId))
  .build();

/** The steps never touch the database; any call would be a benchmark bug. */
const noDatabase = new Proxy({} as Driver, {
  get(_, property) {
    if (property === "inTransaction") return false;
    throw new Error(`the engine benchmark must not touch the driver (called ${String(property)})`);
  },
});

let sink = 0;

// One timing loop per contestant, each awaiting its own entry point directly: a shared helper would make the
// call site polymorphic, and an async wrapper around executeWorkflow would add a frame the loop does not pay.
async function timeBaseline(runs: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) {
    const result = (await plainLoop(i)) as { shipment: number };
    sink = (sink + result.shipment) | 0;
  }
  return Number(process.hrtime.bigint() - start) / (runs * STEPS);
}

async function timeOurs(runs: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) {
    const outcome = await executeWorkflow(noDatabase, checkout, { input: { orderId: i } });
    if (!outcome.ok) throw new Error(`benchmark workflow failed: ${outcome.error}`);
    sink = (sink + outcome.result.shipment) | 0;
  }
  return Number(process.hrtime.bigint() - start) / (runs * STEPS);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function main(): Promise<void> {
  // Both sides must agree before their speed means anything.
  const outcome = await executeWorkflow(noDatabase, checkout, { input: { orderId: 12 } });
  const expected = JSON.stringify(await plainLoop(12));
  if (!outcome.ok || JSON.stringify(outcome.result) !== expected) {
    throw new Error(`engine and baseline disagree: ${JSON.stringify(outcome)} vs ${expected}`);
  }

  await timeBaseline(WARMUP_RUNS);
  await timeOurs(WARMUP_RUNS);

  const baseline: number[] = [];
  const ours: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which side goes first, so neither always runs right after the other's garbage.
    let b: number;
    let o: number;
    if (round % 2 === 0) {
      b = await timeBaseline(RUNS_PER_ROUND);
      o = await timeOurs(RUNS_PER_ROUND);
    } else {
      o = await timeOurs(RUNS_PER_ROUND);
      b = await timeBaseline(RUNS_PER_ROUND);
    }
    baseline.push(b);
    ours.push(o);
    ratios.push(b / o);
  }

  // The ratio is the median of each round's own ratio: the two halves of a round ran back to back under the
  // same machine load, so a busy neighbour shifts both and cancels out, where medians taken apart would not.
  console.log(
    `workflow: ${STEPS} steps; ${ROUNDS} alternating rounds of ${RUNS_PER_ROUND} runs each side (checksum ${sink})`,
  );
  console.log(
    `baseline (plain await loop): ${median(baseline).toFixed(1)} ns/step (median; rounds ${range(baseline)})`,
  );
  console.log(`sagaql executeWorkflow:      ${median(ours).toFixed(1)} ns/step (median; rounds ${range(ours)})`);
  console.log(`overhead: ${(1 / median(ratios)).toFixed(2)}× the loop (median of per-round ratios)`);
  console.log(`RESULT engine-overhead ratio=${median(ratios).toFixed(2)} target=${TARGET}`);
}

function range(values: readonly number[]): string {
  return `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}`;
}

await main();
