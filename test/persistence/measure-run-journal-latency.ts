// Measures record() latency per event for each run journal: `npx tsx test/persistence/measure-run-journal-latency.ts [runs]`.
// Each run is the checkout's event sequence (run-started, 4 × step-started + step-completed, run-finished), recorded
// one event at a time as the engine does; then the same with 16 runs in flight at once.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { PostgresRunJournal } from "../../src/persistence/postgres/postgres-run-journal.ts";
import { SqliteRunJournal } from "../../src/persistence/sqlite/sqlite-run-journal.ts";
import { InMemoryRunJournal } from "../../src/engine/journal/in-memory-run-journal.ts";
import type { RunJournal } from "../../src/engine/journal/run-journal.ts";
import { TEST_POSTGRES_URL } from "./run-journal-databases.ts";
import { newRunId, RunScript } from "./run-journal-script.ts";

const RUNS = Number(process.argv[2] ?? 300);
const STEPS = ["reserve-inventory", "charge-payment", "create-shipment", "finalize"];

function checkoutRun(): RunScript {
  const script = new RunScript(newRunId("bench"), STEPS, {
    input: { paymentMethodId: "pm_card_visa" },
    resourceId: "order-1",
  });
  const data: Record<string, unknown> = {};
  STEPS.forEach((step, i) => {
    data[`${step}Id`] = `${step}_${i}`;
    script.completes(i, { id: `${step}_${i}`, at: new Date() }, { ...data });
  });
  return script.finished("COMPLETED", { result: { success: true } });
}

interface Timing {
  perEvent: number;
  byType: Map<string, number[]>;
}

async function sequential(store: RunJournal, runs: number): Promise<Timing> {
  const byType = new Map<string, number[]>();
  let total = 0n;
  let events = 0;
  for (let r = 0; r < runs; r++) {
    for (const event of checkoutRun().events) {
      const start = process.hrtime.bigint();
      await store.record(event);
      const took = process.hrtime.bigint() - start;
      total += took;
      events++;
      byType.set(event.type, [...(byType.get(event.type) ?? []), Number(took) / 1000]);
    }
  }
  return { perEvent: Number(total) / 1000 / events, byType };
}

async function concurrent(store: RunJournal, runs: number, inFlight: number): Promise<number> {
  const scripts = Array.from({ length: runs }, checkoutRun);
  const start = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < scripts.length) for (const event of scripts[next++]!.events) await store.record(event);
    }),
  );
  return Number(process.hrtime.bigint() - start) / 1000 / (runs * scripts[0]!.events.length);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function measure(name: string, open: () => Promise<RunJournal>): Promise<void> {
  const store = await open();
  await sequential(store, 20); // warm-up: prepared statements, JIT, pool connections
  const { perEvent, byType } = await sequential(store, RUNS);
  const types = [...byType].map(([type, values]) => `${type} ${median(values).toFixed(0)}`).join(", ");
  const wall16 = await concurrent(store, RUNS, 16);
  console.log(`${name.padEnd(28)} ${perEvent.toFixed(1).padStart(8)} µs/event sequential (median µs: ${types})`);
  console.log(`${"".padEnd(28)} ${wall16.toFixed(1).padStart(8)} µs/event wall-clock with 16 runs in flight`);
  await store.close?.();
}

const dir = mkdtempSync(join(tmpdir(), "sagaql-latency-"));
const schema = `sagaql_latency_${process.pid}`;
const admin = new pg.Pool({ connectionString: TEST_POSTGRES_URL, max: 1 });
try {
  console.log(`${RUNS} checkout runs × ${checkoutRun().events.length} events`);
  await measure("InMemoryRunJournal", async () => new InMemoryRunJournal());
  await measure("SqliteRunJournal FULL", async () => new SqliteRunJournal({ filename: join(dir, "full.journal.db") }));
  await measure(
    "SqliteRunJournal NORMAL",
    async () => new SqliteRunJournal({ filename: join(dir, "normal.journal.db"), synchronous: "NORMAL" }),
  );
  await measure("PostgresRunJournal", () => PostgresRunJournal.open({ connectionString: TEST_POSTGRES_URL, schema }));
} finally {
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
}
