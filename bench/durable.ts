/**
 * Durable checkouts per second: the example's 4-step checkout (reserve stock in PostgreSQL, charge, ship, finalize
 * the order in PostgreSQL) run in-process, on one fresh PostgreSQL database, by
 *
 *   - sagaql's engine with its durable PostgreSQL journal — a non-transactional workflow whose database steps are
 *     exactly-once (a checkpoint in the step's own transaction);
 *   - DBOS Transact (`@dbos-inc/dbos-sdk`) with its own workflow and steps, its system database on the same server;
 *   - sagaql's engine without a journal.
 *
 * The charge and the shipment go to the same simulated providers for all three: the example's payment and shipping
 * services, idempotent by key, on in-memory SQLite databases — a real provider is a remote call that does not block
 * our event loop, where their files' synchronous fsyncs would (`BENCH_PROVIDER_FILES=1` uses files). After a
 * warm-up, rounds alternate the contenders (rotating who goes first) at concurrency 1 and 16; each reported figure
 * is a median over rounds, each ratio the median of the rounds' own ratios; the CPU figure is this process's time
 * per checkout (the database server's is not in it; DBOS's background loops are, whoever runs). Afterwards every contender's work is
 * checked: orders completed, stock taken, one charge and one shipment per order, its own records of the runs.
 * `BENCH_ROUNDS`, `BENCH_RUNS_C1` and `BENCH_RUNS_C16` override the defaults; `BENCH_JOURNAL_ANNOUNCE` sets the journal's
 * `announce` option (default: the store's default, "after-commit").
 *
 *     npm run bench:durable
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PrismaClient } from "../generated/checkout/postgresql/client/client.ts";
import { InventoryService } from "../examples/checkout/services/inventory-service.ts";
import { PaymentService } from "../examples/checkout/services/payment-service.ts";
import { ShippingService } from "../examples/checkout/services/shipping-service.ts";
import { openDatabase, PostgresRunJournal, ServiceRegistry, type PostgresRunJournalOptions } from "../src/index.ts";
import { createBenchDatabases, withClient, type BenchDatabases } from "./durable/bench-database.ts";
import { seedContender } from "./durable/checkout-fixtures.ts";
import type { Contender } from "./durable/contender.ts";
import { dbosContender } from "./durable/dbos-contender.ts";
import { median, measureThroughput, OrderQueue } from "./durable/measure-throughput.ts";
import { sagaqlContender } from "./durable/sagaql-contender.ts";
import { verifyWork } from "./durable/verify-work.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const CONCURRENCY = [1, 16] as const;
const RUNS: Record<(typeof CONCURRENCY)[number], number> = {
  1: Number(process.env.BENCH_RUNS_C1 ?? 60),
  16: Number(process.env.BENCH_RUNS_C16 ?? 320),
};
const WARMUP: Record<(typeof CONCURRENCY)[number], number> = { 1: 40, 16: 160 };
/** Connections of each contender's pools (app database, journal or system database): one per checkout in flight. */
const POOL_SIZE = 16;
const TARGET_VS_DBOS = 1.5;
const TARGET_VS_NONDURABLE = 0.6;
const ANNOUNCE = process.env.BENCH_JOURNAL_ANNOUNCE as PostgresRunJournalOptions["announce"];

interface Setup {
  contenders: { durable: Contender; dbos: Contender; nondurable: Contender };
  payment: PaymentService;
  shipping: ShippingService;
  close(): Promise<void>;
}

async function setUp(databases: BenchDatabases, dataDir: string): Promise<Setup> {
  const database = await openDatabase(databases.appUrl, PrismaClient, { poolSize: POOL_SIZE });
  const journal = await PostgresRunJournal.open({
    connectionString: databases.appUrl,
    maxConnections: POOL_SIZE,
    ...(ANNOUNCE ? { announce: ANNOUNCE } : {}),
  });
  const providerFile = (name: string) => (process.env.BENCH_PROVIDER_FILES === "1" ? join(dataDir, name) : ":memory:");
  const payment = new PaymentService(providerFile("payment-provider.db"));
  const shipping = new ShippingService(providerFile("shipping-provider.db"));
  const services = new ServiceRegistry({
    inventoryService: new InventoryService(),
    paymentService: payment,
    shippingService: shipping,
  });
  const countCheckpoints = async () =>
    Number(
      (
        await database.prisma.$queryRawUnsafe<Array<{ n: bigint }>>("SELECT count(*) AS n FROM sagaql_step_checkpoints")
      )[0]!.n,
    );
  const contenders = {
    durable: sagaqlContender({
      label: "sagaql, durable journal",
      key: "durable",
      driver: database.driver,
      services,
      store: journal,
      countCheckpoints,
    }),
    dbos: await dbosContender({
      label: "DBOS Transact",
      key: "dbos",
      appUrl: databases.appUrl,
      systemDatabaseUrl: databases.dbosSystemUrl,
      payment,
      shipping,
      poolSize: POOL_SIZE,
    }),
    nondurable: sagaqlContender({ label: "sagaql, no journal", key: "nondurable", driver: database.driver, services }),
  };
  const close = async () => {
    await contenders.dbos.close();
    await journal.close();
    await database.close();
    payment.close();
    shipping.close();
  };
  return { contenders, payment, shipping, close };
}

type Key = keyof Setup["contenders"];
const KEYS: readonly Key[] = ["durable", "dbos", "nondurable"];

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "sagaql-bench-durable-"));
  const databases = await createBenchDatabases(join(ROOT, "prisma/postgresql/migrations"));
  let setup: Setup | undefined;
  try {
    setup = await setUp(databases, dataDir);
    const perContender = WARMUP[1] + WARMUP[16] + ROUNDS * (RUNS[1] + RUNS[16]);
    const queues = await withClient(databases.appUrl, async (client) => {
      const seeded: Partial<Record<Key, OrderQueue>> = {};
      for (const key of KEYS) seeded[key] = new OrderQueue(await seedContender(client, key, perContender));
      return seeded as Record<Key, OrderQueue>;
    });
    for (const concurrency of CONCURRENCY) {
      for (const key of KEYS)
        await measureThroughput(setup.contenders[key], queues[key].take(WARMUP[concurrency]), concurrency);
    }
    const rates = new Map<string, number[]>();
    const cpu = new Map<string, number[]>();
    for (const concurrency of CONCURRENCY) {
      for (let round = 0; round < ROUNDS; round++) {
        // Rotating who goes first, so none always runs right after another's garbage or checkpoint.
        const order = KEYS.map((_, i) => KEYS[(i + round) % KEYS.length]!);
        for (const key of order) {
          const { rate, cpuMs } = await measureThroughput(
            setup.contenders[key],
            queues[key].take(RUNS[concurrency]),
            concurrency,
          );
          rates.set(`${key}@${concurrency}`, [...(rates.get(`${key}@${concurrency}`) ?? []), rate]);
          cpu.set(`${key}@${concurrency}`, [...(cpu.get(`${key}@${concurrency}`) ?? []), cpuMs]);
        }
      }
    }
    await verifyWork(databases.appUrl, setup, queues);
    report(setup, rates, cpu);
  } finally {
    await setup?.close();
    await databases.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function report(setup: Setup, rates: Map<string, number[]>, cpu: Map<string, number[]>): void {
  const of = (key: Key, concurrency: number) => rates.get(`${key}@${concurrency}`)!;
  const ratio = (a: number[], b: number[]) => median(a.map((value, i) => value / b[i]!));
  console.log(`journal announcements: ${ANNOUNCE ?? "after-commit (default)"}`);
  console.log(
    `checkout: 4 steps, in-process; ${ROUNDS} interleaved rounds of ${RUNS[1]} (c=1) / ${RUNS[16]} (c=16) checkouts per contender, medians`,
  );
  for (const concurrency of CONCURRENCY) {
    for (const key of KEYS) {
      const values = of(key, concurrency);
      const range = `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}`;
      const cpuMs = median(cpu.get(`${key}@${concurrency}`)!).toFixed(2);
      console.log(
        `c=${String(concurrency).padEnd(2)}  ${setup.contenders[key].label.padEnd(24)} ${median(values).toFixed(1).padStart(7)} checkouts/s (rounds ${range}; ${cpuMs} ms CPU each in this process)`,
      );
    }
  }
  for (const concurrency of CONCURRENCY) {
    console.log(
      `RESULT durable-vs-dbos-c${concurrency} ratio=${ratio(of("durable", concurrency), of("dbos", concurrency)).toFixed(2)} target=${TARGET_VS_DBOS}`,
    );
  }
  for (const concurrency of CONCURRENCY) {
    const value = ratio(of("durable", concurrency), of("nondurable", concurrency));
    console.log(
      `RESULT durable-vs-nondurable-c${concurrency} ratio=${value.toFixed(2)} target=${TARGET_VS_NONDURABLE}`,
    );
  }
}

await main();
