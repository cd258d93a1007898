import { median } from "../durable/measure-throughput.ts";
import type { Provider } from "./bench-database.ts";
import { cellOf, type Cell, type Cells } from "./cells.ts";
import { CONTENDER_LABELS, type Contender } from "./contenders.ts";
import { percentile } from "./measure-load.ts";

export interface ReportOptions {
  providers: readonly Provider[];
  rounds: number;
  /** Requests per round at concurrency 1, 16 and 200. */
  runs: Record<1 | 16 | 200, number>;
  target: number;
}

const KEYS = ["sagaql", "handwritten", "rawsql"] as const;
const NAMES: Record<Provider, string> = { sqlite: "sqlite", postgresql: "postgres" };
const rate = (cell: Cell) => cell.requests / cell.seconds;
const cpuPerCheckout = (cell: Cell) => cell.cpuMs / cell.requests;

/** The table, then one RESULT line per cell at c=1 and c=16 (sagaql ÷ (a)), then the c=200 tails. */
export function report(cells: Cells, options: ReportOptions): void {
  const { runs } = options;
  console.log(
    `orderCheckout over HTTP, pm_card_visa, distinct orders; ${options.rounds} interleaved rounds of ${runs[1]} (c=1) / ${runs[16]} (c=16), 1 of ${runs[200]} (c=200)`,
  );
  printTable(cells, options.providers);
  for (const provider of options.providers) {
    for (const concurrency of [1, 16] as const) printResult(cells, provider, concurrency, options.target);
  }
  for (const provider of options.providers) {
    const p99 = (key: Contender["key"]) => percentile(cellOf(cells, provider, 200, key).latenciesMs, 99).toFixed(0);
    console.log(
      `${NAMES[provider]}-c200 p99: sagaql ${p99("sagaql")} ms, hand-written ${p99("handwritten")} ms, raw SQL ${p99("rawsql")} ms`,
    );
  }
}

function printTable(cells: Cells, providers: readonly Provider[]): void {
  const header = [
    "checkouts/s".padStart(11),
    "p50 ms".padStart(8),
    "p99 ms".padStart(8),
    "CPU ms/checkout".padStart(16),
  ];
  console.log(`${"database".padEnd(9)} ${"c".padStart(3)}  ${"contender".padEnd(29)} ${header.join(" ")}`);
  for (const provider of providers) {
    for (const concurrency of [1, 16, 200]) {
      for (const key of KEYS) {
        const cell = cellOf(cells, provider, concurrency, key);
        const columns = [
          rate(cell).toFixed(1).padStart(11),
          percentile(cell.latenciesMs, 50).toFixed(1).padStart(8),
          percentile(cell.latenciesMs, 99).toFixed(1).padStart(8),
          cpuPerCheckout(cell).toFixed(2).padStart(16),
        ];
        console.log(
          `${NAMES[provider].padEnd(9)} ${String(concurrency).padStart(3)}  ${CONTENDER_LABELS[key].padEnd(29)} ${columns.join(" ")}`,
        );
      }
    }
  }
  console.log(
    "CPU ms/checkout: user + system time of the process that did the work (the server child; for (b) the benchmark process itself), the database server's excluded.",
  );
}

/** The ratio is the median of the rounds' own: a round's contenders ran back to back, under the same load. */
function printResult(cells: Cells, provider: Provider, concurrency: 1 | 16, target: number): void {
  const ours = cellOf(cells, provider, concurrency, "sagaql");
  const baseline = cellOf(cells, provider, concurrency, "handwritten");
  const perRound = ours.roundRates.map((value, i) => value / baseline.roundRates[i]!);
  const cpuRatio = cpuPerCheckout(baseline) / cpuPerCheckout(ours);
  const name = `${NAMES[provider]}-c${concurrency}`;
  console.log(
    `${name} sagaql ÷ (a) per round: ${perRound.map((r) => r.toFixed(2)).join(" ")}; server CPU per checkout, (a) ÷ sagaql: ${cpuRatio.toFixed(2)}`,
  );
  console.log(`RESULT ${name} ratio=${median(perRound).toFixed(2)} target=${target}`);
}
