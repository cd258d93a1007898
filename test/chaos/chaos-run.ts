import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { applyMigrations } from "../../src/tooling/apply-migrations.ts";
import { journalPathFor, openRunJournal } from "../../src/persistence/open-run-journal.ts";
import { eventLabel } from "../crash/crash-on-journal-write.ts";
import {
  cancelCheckoutRun,
  createScenarioOrder,
  findRunByKey,
  readAllStock,
  readOrder,
  readStock,
  sendCheckout,
  waitForTerminalRun,
  type CheckoutReply,
  type RunView,
  type ScenarioOrder,
} from "../crash/checkout-client.ts";
import { checkoutViolations } from "../crash/checkout-invariants.ts";
import { CRASH_SERVER } from "../crash/crash-harness.ts";
import { readProviderRecords, type ProviderRecords } from "../crash/provider-records.ts";
import { freshDatabase, type FreshDatabase, type Provider } from "../helpers/fresh-database.ts";
import { PROJECT_ROOT } from "../helpers/npm-start.ts";
import { spawnServerProcess, type ServerProcess, type SpawnedServer } from "../helpers/start-server-process.ts";
import { holdSqliteWriteLock, terminateConnectionsRepeatedly } from "./chaos-faults.ts";
import { SeededRandom } from "./seeded-random.ts";

export interface ChaosOptions {
  provider: Provider;
  seed: number;
  rounds: number;
  /** Concurrent checkouts per round. @default 12 */
  checkoutsPerRound?: number;
  /** Progress lines (one per round). @default none */
  log?: (line: string) => void;
}

/** What a chaos run did and found; `violations` empty means every invariant held. */
export interface ChaosReport {
  provider: Provider;
  seed: number;
  rounds: number;
  checkouts: number;
  /** Final run status by count, plus NO_RUN for requests the server never journaled (killed before). */
  outcomes: Record<string, number>;
  sigkills: number;
  connectionKills: number;
  lockHolds: number;
  /** Cancels sent (`workflowRunCancel`) at seeded moments, and how many of them the server answered CANCELLED. */
  cancels: number;
  cancelled: number;
  /** Replies lost with a killed server (their runs finished through recovery). */
  lostReplies: number;
  /** Keys sent again after the round: each must answer its run's outcome and change nothing. */
  resent: number;
  violations: string[];
  /** Error-level log lines of every server process, to explain a violation. */
  serverErrors: Array<Record<string, unknown>>;
  ms: number;
}

/** Every card the simulated provider knows; the declined one compensates, the slow one widens every window. */
const CARDS = ["pm_card_visa", "pm_card_slow", "pm_card_flaky", "pm_card_chargeDeclined"] as const;
/** "XX" is a country the shipping provider refuses: the run fails after the charge and must refund it. */
const COUNTRIES = ["US", "US", "US", "XX"] as const;

interface SentCheckout {
  order: ScenarioOrder;
  card: string;
  key: string;
  reply: CheckoutReply | "lost";
  /** When set, a person cancels the run this long after the checkout was sent. */
  cancelAfterMs?: number;
}

/**
 * Seeded chaos against real server processes on one fresh database: each round sends concurrent checkouts of every
 * card and country while, at seeded moments, the server is SIGKILLed (and restarted from a standby), every database
 * connection is terminated in rounds (PostgreSQL) or another writer holds SQLite's lock. After each round it waits for
 * every run to end and checks, from the journal and the providers' own files: terminal statuses, every charge kept
 * by a completed order or refunded exactly once, no shipment for a compensated run, stock = start − completed
 * items; then it resends every key and checks that each answers its run's outcome and that nothing changed.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const random = new SeededRandom(options.seed);
  const report: ChaosReport = {
    provider: options.provider,
    seed: options.seed,
    rounds: options.rounds,
    checkouts: 0,
    outcomes: {},
    sigkills: 0,
    connectionKills: 0,
    lockHolds: 0,
    cancels: 0,
    cancelled: 0,
    lostReplies: 0,
    resent: 0,
    violations: [],
    serverErrors: [],
    ms: 0,
  };
  const cluster = await ChaosCluster.start(options.provider);
  try {
    for (let round = 0; round < options.rounds; round++) {
      await runRound(cluster, random, options.checkoutsPerRound ?? 12, report, round);
      options.log?.(
        `round ${round + 1}/${options.rounds}: ${report.checkouts} checkouts, ${report.sigkills} SIGKILLs, ${report.violations.length} violations`,
      );
    }
  } finally {
    report.serverErrors = cluster.errorLogs();
    await cluster.stop();
  }
  report.ms = Date.now() - started;
  return report;
}

async function runRound(
  cluster: ChaosCluster,
  random: SeededRandom,
  count: number,
  report: ChaosReport,
  round: number,
): Promise<void> {
  const url = cluster.url;
  const plans = Array.from({ length: count }, (_, i) => {
    const card = random.pick(CARDS);
    // Most checkouts end in milliseconds, so a cancel mostly finds them ended; the slow card's are cancelled more
    // often, inside its charge's window, so that some cancels do stop a run in flight.
    const cancel = card === "pm_card_slow" ? random.chance(0.6) : random.chance(0.2);
    return {
      card,
      country: random.pick(COUNTRIES),
      key: `chaos:${report.seed}:${round}:${i}`,
      ...(cancel ? { cancelAfterMs: random.int(0, card === "pm_card_slow" ? 900 : 1500) } : {}),
    };
  });
  const orders = await Promise.all(plans.map((plan) => createScenarioOrder(url, plan.country)));
  const sent: SentCheckout[] = plans.map((plan, i) => ({ ...plan, order: orders[i]!, reply: "lost" }));
  const replies = sent.map(async (checkout) => {
    checkout.reply = await sendCheckout(url, checkout.order.orderId, checkout.card, checkout.key).catch(
      (error: Error) => {
        // A reply the server sent must be an outcome; only a connection that died with the server may lose it.
        if (error.message.startsWith("GraphQL errors"))
          report.violations.push(`${checkout.key}: answered with ${error.message}`);
        return "lost" as const;
      },
    );
  });
  const cancels = sent
    .filter((checkout) => checkout.cancelAfterMs !== undefined)
    .map((checkout) => cancelLater(cluster, checkout, report));
  await Promise.all([...replies, ...cancels, cluster.inflictFaults(random, report)]);
  report.checkouts += count;
  report.lostReplies += sent.filter((c) => c.reply === "lost").length;
  await checkRound(cluster, sent, report);
}

/**
 * A person cancels the run at a seeded moment: before it started, in any step, while it compensates, past its pivot
 * or after its end — with the server perhaps killed meanwhile. Whatever the answer, the invariants must hold.
 */
async function cancelLater(cluster: ChaosCluster, checkout: SentCheckout, report: ChaosReport): Promise<void> {
  await sleep(checkout.cancelAfterMs!);
  const run = await findRunByKey(cluster.url, checkout.key).catch(() => undefined);
  if (!run) return;
  report.cancels += 1;
  const answer = await cancelCheckoutRun(cluster.url, run.id, "chaos").catch(() => "lost");
  if (answer === "CANCELLED") report.cancelled += 1;
}

async function checkRound(cluster: ChaosCluster, sent: SentCheckout[], report: ChaosReport): Promise<void> {
  const url = cluster.url;
  const runs = new Map<string, RunView | undefined>();
  for (const checkout of sent) {
    const journaled = await findRunByKey(url, checkout.key);
    runs.set(checkout.key, journaled && (await waitForTerminalRun(url, journaled.id, 90_000)));
  }
  const providers = readProviderRecords(cluster.database.dataDir);
  for (const checkout of sent) {
    const run = runs.get(checkout.key);
    const status = run?.status ?? "NO_RUN";
    report.outcomes[status] = (report.outcomes[status] ?? 0) + 1;
    const facts = {
      scenario: checkout.order,
      run,
      order: await readOrder(url, checkout.order.orderId),
      stock: await readStock(url, checkout.order.sku),
      providers,
    };
    const found = checkoutViolations(facts);
    if (found.length > 0 && run) {
      found.push(`its journal: ${(await cluster.journalOf(run.id)).join(" ")}`);
      if (process.env.SAGAQL_CHAOS_DEBUG)
        found.push(
          `its logs: ${cluster
            .logsOf(run.id)
            .map((l) => JSON.stringify(l))
            .join("\n")}`,
        );
    }
    for (const violation of found) report.violations.push(`${checkout.key} (${checkout.card}): ${violation}`);
    if (run && checkout.reply !== "lost" && !answers(checkout.reply, run))
      report.violations.push(
        `${checkout.key}: first reply ${JSON.stringify(checkout.reply)} disagrees with run ${run.status}`,
      );
  }
  await resendEveryKey(cluster, sent, runs, report);
}

/** Resending a key is a pure read: the same outcome, no new charge, refund, shipment or stock change. */
async function resendEveryKey(
  cluster: ChaosCluster,
  sent: SentCheckout[],
  runs: Map<string, RunView | undefined>,
  report: ChaosReport,
): Promise<void> {
  const url = cluster.url;
  const before = { providers: counts(readProviderRecords(cluster.database.dataDir)), stock: await readAllStock(url) };
  for (const checkout of sent) {
    const run = runs.get(checkout.key);
    if (!run) continue;
    const again = await sendCheckout(url, checkout.order.orderId, checkout.card, checkout.key);
    report.resent += 1;
    if (!answers(again, run))
      report.violations.push(
        `${checkout.key}: resent, answered ${JSON.stringify(again)} for a ${run.status} run ${run.id}`,
      );
  }
  const after = { providers: counts(readProviderRecords(cluster.database.dataDir)), stock: await readAllStock(url) };
  if (JSON.stringify(after) !== JSON.stringify(before))
    report.violations.push(
      `resending every key changed something: ${JSON.stringify(before)} → ${JSON.stringify(after)}`,
    );
}

function answers(reply: CheckoutReply, run: RunView): boolean {
  if (run.status === "COMPLETED") return reply.__typename === "OrderCheckoutSuccess" && reply.runId === run.id;
  if (run.status === "CANCELLED") return reply.__typename === "WorkflowCancelledError" && reply.failedRunId === run.id;
  const member = run.status === "FAILED" ? "CompensationFailedError" : "StepFailedError";
  return reply.__typename === member && reply.failedRunId === run.id;
}

function counts(records: ProviderRecords): Record<string, number> {
  return { charges: records.charges.length, refunds: records.refunds.length, shipments: records.shipments.length };
}

/**
 * One database and the server process serving it, with a standby loaded ahead (its modules take seconds of CPU)
 * so that a SIGKILLed server is replaced at once, as a supervisor would restart it.
 */
class ChaosCluster {
  #server!: ServerProcess;
  #standby!: SpawnedServer;
  readonly #spawned: SpawnedServer[] = [];

  private constructor(
    readonly provider: Provider,
    readonly database: FreshDatabase,
  ) {}

  static async start(provider: Provider): Promise<ChaosCluster> {
    const database = await freshDatabase(provider);
    await applyMigrations({
      url: database.url,
      schemaPath: join(PROJECT_ROOT, `prisma/${provider}/schema.prisma`),
      cwd: PROJECT_ROOT,
    });
    const cluster = new ChaosCluster(provider, database);
    cluster.#server = await cluster.#spawn().ready();
    cluster.#standby = cluster.#spawn();
    return cluster;
  }

  get url(): string {
    return this.#server.graphqlUrl;
  }

  /** This round's faults, at seeded moments within its first two seconds. */
  async inflictFaults(random: SeededRandom, report: ChaosReport): Promise<void> {
    const faults: Array<Promise<void>> = [];
    if (this.provider === "postgresql") {
      const times = random.int(2, 5);
      const gapMs = random.int(200, 600);
      faults.push(
        this.#after(
          random.int(50, 800),
          async () =>
            void (report.connectionKills += await terminateConnectionsRepeatedly(this.database.url, times, gapMs)),
        ),
      );
    } else {
      const file = this.database.url.slice("file:".length);
      const target = random.chance(0.5) ? file : journalPathFor(this.database.url);
      const holdMs = random.int(300, 1500);
      faults.push(
        this.#after(random.int(50, 800), async () => {
          await holdSqliteWriteLock(target, holdMs);
          report.lockHolds += 1;
        }),
      );
    }
    faults.push(
      this.#after(random.int(100, 1800), async () => {
        await this.#restart();
        report.sigkills += 1;
      }),
    );
    await Promise.all(faults);
  }

  /** The run's events as `type:step` labels, read from the journal itself, to explain a violation. */
  async journalOf(runId: string): Promise<string[]> {
    const store = await openRunJournal(this.database.url);
    try {
      return (await store.listEvents({ runId })).map(({ event }) =>
        "error" in event && event.error
          ? `${eventLabel(event)}(${event.error.code ?? event.error.message.slice(0, 60)})`
          : eventLabel(event),
      );
    } finally {
      await store.close();
    }
  }

  logsOf(runId: string): Array<Record<string, unknown>> {
    return this.#spawned.flatMap((server) => server.logs().filter((line) => line.runId === runId));
  }

  errorLogs(): Array<Record<string, unknown>> {
    return this.#spawned.flatMap((server) => server.logs().filter((line) => Number(line.level) >= 50));
  }

  async stop(): Promise<void> {
    await Promise.all(this.#spawned.map((server) => server.kill()));
    await this.database.remove();
  }

  async #restart(): Promise<void> {
    await this.#server.kill();
    this.#server = await this.#standby.ready();
    this.#standby = this.#spawn();
  }

  async #after(ms: number, fault: () => Promise<void>): Promise<void> {
    await sleep(ms);
    await fault();
  }

  #spawn(): SpawnedServer {
    const env = {
      DATABASE_URL: this.database.url,
      DATA_DIR: this.database.dataDir,
      CHECKOUT_SLOW_CARD_MS: "800",
      SAGAQL_LEASE_MS: "3000",
      SAGAQL_RECOVERY_INTERVAL_MS: "300",
    };
    const spawned = spawnServerProcess(CRASH_SERVER, env, { held: true });
    this.#spawned.push(spawned);
    return spawned;
  }
}
