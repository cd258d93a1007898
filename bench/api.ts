/**
 * The served checkout over real HTTP: `orderCheckout` with `pm_card_visa` on distinct pending orders, from this
 * process (a closed loop of `concurrency` clients) against
 *
 *   - sagaql: the app exactly as `npm start` runs it (`node --import tsx src/server/main.ts`, a child process on
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
 * `BENCH_API_ROUNDS` (default 3), `BENCH_API_C1` (80), `BENCH_API_C16` (240) and `BENCH_API_C200` (600) set
 * requests per round; `BENCH_API_PROVIDERS` (default "sqlite,postgresql") picks the databases.
 *
 *     npm run bench:api
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Provider } from "./api/bench-database.ts";
import type { Contender } from "./api/contenders.ts";
import { measureLoad, percentile } from "./api/measure-load.ts";
import { median } from "./durable/measure-throughput.ts";
import { setUpProvider } from "./api/provider-setup.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const PROVIDERS = (process.env.BENCH_API_PROVIDERS ?? "sqlite,postgresql").split(",") as Provider[];
const ROUNDS = Number(process.env.BENCH_API_ROUNDS ?? 3);
const CONCURRENCY = [1, 16, 200] as const;
type Concurrency = (typeof CONCURRENCY)[number];
const RUNS: Record<Concurrency, number> = {
  1: Number(process.env.BENCH_API_C1 ?? 80),
  16: Number(process.env.BENCH_API_C16 ?? 240),
  200: Number(process.env.BENCH_API_C200 ?? 600),
};
/** The c=200 cell is one round: it is there for its tail latency. */
const ROUNDS_AT: Record<Concurrency, number> = { 1: ROUNDS, 16: ROUNDS, 200: 1 };
const WARMUP = { requests: 80, concurrency: 8 };
const TARGET = 0.8;

/** One contender's figures in one cell (provider × concurrency), over all its rounds. */
interface Cell {
  requests: number;
  seconds: number;
  latenciesMs: number[];
  cpuMs: number;
  /** Each round's throughput, in round order. */
  roundRates: number[];
}

type Cells = Map<string, Cell>;
const cellKey = (provider: Provider, concurrency: number, contender: Contender["key"]) => `${provider}@${concurrency}@${contender}`;
const log = (line: string) => console.error(`[bench:api] ${line}`);

async function benchProvider(provider: Provider, cells: Cells): Promise<void> {
  const perContender = WARMUP.requests + CONCURRENCY.reduce((sum, c) => sum + ROUNDS_AT[c] * RUNS[c], 0);
  const setup = await setUpProvider(provider, ROOT, perContender, log);
  try {
    const queues = setup.contenders.map(({ contender, orderIds }) => ({ contender, take: taker(orderIds) }));
    for (const { contender, take } of queues) await measureLoad(contender.checkout, take(WARMUP.requests), WARMUP.concurrency);
    for (const concurrency of CONCURRENCY) {
      for (let round = 0; round < ROUNDS_AT[concurrency]; round++) {
        // Rotating who goes first, so none always runs right after another's burst of writes.
        const order = queues.map((_, i) => queues[(i + round) % queues.length]!);
        for (const { contender, take } of order) {
          const cpuBefore = contender.cpuMs();
          const result = await measureLoad(contender.checkout, take(RUNS[concurrency]), concurrency);
          add(cells, cellKey(provider, concurrency, contender.key), { ...result, cpuMs: contender.cpuMs() - cpuBefore, roundRates: [result.requests / result.seconds] });
          log(`${provider} c=${concurrency} ${contender.label}: ${(result.requests / result.seconds).toFixed(1)}/s`);
        }
      }
    }
    await setup.finish();
    log(`${provider}: every contender's work checked`);
  } finally {
    await setup.close();
  }
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

function add(cells: Cells, key: string, result: Cell): void {
  const cell = cells.get(key) ?? { requests: 0, seconds: 0, latenciesMs: [], cpuMs: 0, roundRates: [] };
  cell.requests += result.requests;
  cell.seconds += result.seconds;
  cell.latenciesMs.push(...result.latenciesMs);
  cell.cpuMs += result.cpuMs;
  cell.roundRates.push(...result.roundRates);
  cells.set(key, cell);
}

const LABELS: Record<Contender["key"], string> = { sagaql: "sagaql (npm start)", handwritten: "(a) hand-written yoga+Prisma", rawsql: "(b) raw SQL, in-process" };
const rate = (cell: Cell) => cell.requests / cell.seconds;
const NAMES: Record<Provider, string> = { sqlite: "sqlite", postgresql: "postgres" };

function report(cells: Cells): void {
  console.log(`orderCheckout over HTTP, pm_card_visa, distinct orders; ${ROUNDS} interleaved rounds of ${RUNS[1]} (c=1) / ${RUNS[16]} (c=16), 1 of ${RUNS[200]} (c=200)`);
  console.log(`${"database".padEnd(9)} ${"c".padStart(3)}  ${"contender".padEnd(29)} ${"checkouts/s".padStart(11)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"CPU ms/checkout".padStart(16)}`);
  for (const provider of PROVIDERS) {
    for (const concurrency of CONCURRENCY) {
      for (const key of ["sagaql", "handwritten", "rawsql"] as const) {
        const cell = cells.get(cellKey(provider, concurrency, key))!;
        const columns = [
          rate(cell).toFixed(1).padStart(11),
          percentile(cell.latenciesMs, 50).toFixed(1).padStart(8),
          percentile(cell.latenciesMs, 99).toFixed(1).padStart(8),
          (cell.cpuMs / cell.requests).toFixed(2).padStart(16),
        ];
        console.log(`${NAMES[provider].padEnd(9)} ${String(concurrency).padStart(3)}  ${LABELS[key].padEnd(29)} ${columns.join(" ")}`);
      }
    }
  }
  console.log("CPU ms/checkout: user + system time of the process that did the work (the server child; for (b) the benchmark process itself), database server excluded.");
  for (const provider of PROVIDERS) {
    for (const concurrency of [1, 16] as const) {
      const ours = cells.get(cellKey(provider, concurrency, "sagaql"))!.roundRates;
      const baseline = cells.get(cellKey(provider, concurrency, "handwritten"))!.roundRates;
      const perRound = ours.map((value, i) => value / baseline[i]!);
      const ratio = median(perRound);
      console.log(`${NAMES[provider]}-c${concurrency} sagaql ÷ (a), per round: ${perRound.map((r) => r.toFixed(2)).join(" ")}`);
      console.log(`RESULT ${NAMES[provider]}-c${concurrency} ratio=${ratio.toFixed(2)} target=${TARGET}`);
    }
  }
  for (const provider of PROVIDERS) {
    const p99 = (key: Contender["key"]) => percentile(cells.get(cellKey(provider, 200, key))!.latenciesMs, 99).toFixed(0);
    console.log(`${NAMES[provider]}-c200 p99: sagaql ${p99("sagaql")} ms, hand-written ${p99("handwritten")} ms, raw SQL ${p99("rawsql")} ms`);
  }
}

const cells: Cells = new Map();
for (const provider of PROVIDERS) await benchProvider(provider, cells);
report(cells);
