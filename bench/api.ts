/**
 * The served checkout over real HTTP: `orderCheckout` with `pm_card_visa` on distinct pending orders, from this
 * process (a closed loop of `concurrency` clients) against
 *
 *   - sagaql: the app exactly as `npm start` runs it (`node --import tsx examples/checkout/main.ts`, a child process on
 *     a fresh, empty database it migrates itself; its transactional workflow, journal, simulated providers' files,
 *     request logging at the default level), the catalogue and the orders created through its own mutations;
 *   - (a) a hand-written resolver on a bare graphql-yoga server, also a child process: the same writes in one
 *     Prisma interactive transaction, with the example's Prisma client and the same provider classes on files;
 *   - (b) the floor: the same statements with better-sqlite3 / pg directly, in this process, with no HTTP.
 *
 * On SQLite, then on PostgreSQL (each contender on a database of its own), after a warm-up, rounds alternate the
 * contenders (rotating who goes first) at concurrency 1 and 16, then one round at 200. Figures: throughput over
 * all rounds, p50/p99 over every request, the CPU time per checkout of the process that served it; each ratio is
 * the median of the rounds' own ratios, as a round's contenders ran back to back on the same shared machine. Afterwards
 * each contender's work is checked (orders completed, stock taken, one charge and one shipment each).
 *
 * `BENCH_API_ROUNDS` (default 5), `BENCH_API_C1` (50), `BENCH_API_C16` (160) and `BENCH_API_C200` (600) set
 * requests per round; `BENCH_API_PROVIDERS` (default "sqlite,postgresql") picks the databases.
 *
 *     npm run bench:api
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Provider } from "./api/bench-database.ts";
import { addToCell, cellKey, type Cells } from "./api/cells.ts";
import type { Contender } from "./api/contenders.ts";
import { measureLoad } from "./api/measure-load.ts";
import { setUpProvider } from "./api/provider-setup.ts";
import { report } from "./api/report.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const PROVIDERS = (process.env.BENCH_API_PROVIDERS ?? "sqlite,postgresql").split(",") as Provider[];
const ROUNDS = Number(process.env.BENCH_API_ROUNDS ?? 5);
const CONCURRENCY = [1, 16, 200] as const;
type Concurrency = (typeof CONCURRENCY)[number];
const RUNS: Record<Concurrency, number> = {
  1: Number(process.env.BENCH_API_C1 ?? 50),
  16: Number(process.env.BENCH_API_C16 ?? 160),
  200: Number(process.env.BENCH_API_C200 ?? 600),
};
/** The c=200 cell is one round: it is there for its tail latency. */
const ROUNDS_AT: Record<Concurrency, number> = { 1: ROUNDS, 16: ROUNDS, 200: 1 };
const WARMUP = { requests: 80, concurrency: 8 };
const TARGET = 0.8;

const log = (line: string) => console.error(`[bench:api] ${line}`);

async function benchProvider(provider: Provider, cells: Cells): Promise<void> {
  const perContender = WARMUP.requests + CONCURRENCY.reduce((sum, c) => sum + ROUNDS_AT[c] * RUNS[c], 0);
  const setup = await setUpProvider(provider, ROOT, perContender, log);
  try {
    const queues = setup.contenders.map(({ contender, orderIds }) => ({ contender, take: taker(orderIds) }));
    for (const { contender, take } of queues)
      await measureLoad(contender.checkout, take(WARMUP.requests), WARMUP.concurrency);
    for (const concurrency of CONCURRENCY) {
      for (let round = 0; round < ROUNDS_AT[concurrency]; round++) {
        // Rotating who goes first, so none always runs right after another's burst of writes.
        const order = queues.map((_, i) => queues[(i + round) % queues.length]!);
        for (const { contender, take } of order)
          await measureRound(cells, provider, concurrency, contender, take(RUNS[concurrency]));
      }
    }
    await setup.finish();
    log(`${provider}: every contender's work checked`);
  } finally {
    await setup.close();
  }
}

async function measureRound(
  cells: Cells,
  provider: Provider,
  concurrency: number,
  contender: Contender,
  ids: string[],
): Promise<void> {
  const cpuBefore = contender.cpuMs();
  const result = await measureLoad(contender.checkout, ids, concurrency);
  const roundRate = result.requests / result.seconds;
  addToCell(cells, cellKey(provider, concurrency, contender.key), {
    ...result,
    cpuMs: contender.cpuMs() - cpuBefore,
    roundRates: [roundRate],
  });
  log(`${provider} c=${concurrency} ${contender.label}: ${roundRate.toFixed(1)}/s`);
}

/** Hands out ids in order, never one twice. */
function taker(ids: readonly string[]): (count: number) => string[] {
  let next = 0;
  return (count) => {
    if (next + count > ids.length) throw new Error(`benchmark bug: only ${ids.length} orders were seeded`);
    next += count;
    return ids.slice(next - count, next);
  };
}

const cells: Cells = new Map();
for (const provider of PROVIDERS) await benchProvider(provider, cells);
report(cells, { providers: PROVIDERS, rounds: ROUNDS, runs: RUNS, target: TARGET });
