import { randomUUID } from "node:crypto";
import { join } from "node:path";
import pg from "pg";
import { applyMigrations } from "../../src/tooling/apply-migrations.ts";
import { freshDatabase, type FreshDatabase, type Provider } from "../helpers/fresh-database.ts";
import { PROJECT_ROOT } from "../helpers/npm-start.ts";
import { retryUntil } from "../helpers/retry-until.ts";
import { spawnServerProcess, type ServerProcess, type SpawnedServer } from "../helpers/start-server-process.ts";
import { demoProducts } from "../../examples/checkout/seed-data.ts";
import {
  cancelCheckoutRun,
  createScenarioOrder,
  findRunByKey,
  listCheckoutRuns,
  readAllStock,
  readOrder,
  readStock,
  sendCheckout,
  waitForTerminalRun,
  type ScenarioOrder,
} from "./checkout-client.ts";
import { checkoutViolations } from "./checkout-invariants.ts";
import { crashKey, formatCrashPoint, type CrashPoint } from "./crash-point.ts";
import {
  CHECKOUT_PATHS,
  expectedOutcome,
  type CheckoutPath,
  type JournalCrash,
  type Outcome,
} from "./crash-scenarios.ts";
import { readProviderRecords } from "./provider-records.ts";
import { writeOfPoint, type JournalTrace } from "./journal-trace.ts";

export const CRASH_SERVER = "test/crash/crash-server.ts";
const STANDBYS = 1;

/** A checkout sent to a server that may die with it: its own order, and the request, to replay it afterwards. */
interface SentCheckout {
  order: ScenarioOrder;
  paymentMethodId: string;
  idempotencyKey: string;
}

/** What one scenario came to: empty `violations` means every invariant held. */
export interface ScenarioReport {
  outcome: Outcome | "RUNNING" | "COMPENSATING" | "FAILED";
  violations: string[];
  /** The events of the journal write the process died at, for journal crashes. */
  crashedWrite?: string[];
  /** Set when an earlier scenario crashed at the very same moment (the same write): this is its report. */
  sameAs?: string;
  /** The whole scenario, and of it: starting the next process, and waiting for the run to end after that. */
  ms: number;
  restartMs?: number;
  settleMs?: number;
}

/**
 * One database and a chain of real server processes on it. Every scenario kills the current process in its own
 * way, starts the next one (which recovers what the dead one left) and checks the invariants: one process start
 * per crash. Each process serves with `SAGAQL_CRASH_FROM_KEYS=1` but arms only runs whose key asks for a crash,
 * so the restarted server recovers as a plain one would.
 */
export class CrashHarness {
  readonly #database: FreshDatabase;
  readonly #traces = new Map<CheckoutPath, JournalTrace>();
  readonly #crashed = new Map<string, { name: string; report: ScenarioReport }>();
  #server: ServerProcess | undefined;
  /**
   * The next server, loading its modules (about 2 s of CPU) while the current one is being crashed, held until
   * it is dead. More than one did not help on a 2-CPU machine: loading is CPU-bound.
   */
  readonly #standbys: SpawnedServer[] = [];

  private constructor(
    readonly provider: Provider,
    database: FreshDatabase,
  ) {
    this.#database = database;
  }

  /** A fresh, migrated database and the first server; clean checkouts of each path record which events share a write. */
  static async open(provider: Provider): Promise<CrashHarness> {
    const database = await freshDatabase(provider);
    const harness = new CrashHarness(provider, database);
    try {
      await applyMigrations({
        url: database.url,
        schemaPath: join(PROJECT_ROOT, "prisma", provider, "schema.prisma"),
        cwd: PROJECT_ROOT,
      });
      harness.#server = await harness.#start();
      for (const path of Object.keys(CHECKOUT_PATHS) as CheckoutPath[]) await harness.#traceCleanRun(path);
      return harness;
    } catch (error) {
      await harness.close();
      throw error;
    }
  }

  get server(): ServerProcess {
    if (!this.#server) throw new Error("no server is running");
    return this.#server;
  }

  /** The process kills itself at the journal write that carries `crash.point`; the next one recovers the run. */
  async crashAtJournalWrite(crash: JournalCrash): Promise<ScenarioReport> {
    const write = writeOfPoint(this.#traces.get(crash.path)!, crash.point);
    if (!write) return failedReport(`a clean "${crash.path}" checkout journals no ${formatCrashPoint(crash.point)}`);
    const moment = `${crash.point.when} ${write.join(",")}`;
    const earlier = this.#crashed.get(moment);
    if (earlier) return { ...earlier.report, sameAs: earlier.name };
    const started = performance.now();
    const { paymentMethodId, shippingCountry } = CHECKOUT_PATHS[crash.path];
    const checkout = {
      order: await createScenarioOrder(this.server.graphqlUrl, shippingCountry),
      paymentMethodId,
      idempotencyKey: crashKey(crash.point, randomUUID()),
    };
    const reply = send(this.server.graphqlUrl, checkout).catch(() => "connection lost");
    const answer = await Promise.race([this.server.exited.then(() => "died" as const), reply]);
    if (answer !== "died" && answer !== "connection lost") {
      return failedReport(
        `the server answered instead of crashing at ${formatCrashPoint(crash.point)}: ${JSON.stringify(answer)}`,
      );
    }
    await this.server.exited;
    const crashLine = this.server.logs().find((line) => line.msg === "crash injected");
    const report = await this.#restartAndCheck(checkout, expectedOutcome(crash), started);
    if (crashLine?.crashAt !== formatCrashPoint(crash.point))
      report.violations.push(`the server died, but not at the injected crash (${String(crashLine?.crashAt)})`);
    report.crashedWrite = crashLine?.write as string[] | undefined;
    this.#crashed.set(moment, { name: `${crash.path}, ${formatCrashPoint(crash.point)}`, report });
    return report;
  }

  /**
   * The process dies at `crash` (a journal write), and the one that recovers the run dies too, at `recoveryPoint`
   * of the recovery; a third process must finish the run.
   */
  async crashTwice(crash: JournalCrash, recoveryPoint: CrashPoint): Promise<ScenarioReport> {
    const started = performance.now();
    // Loaded now, while the first crash happens; released once the first process is dead.
    const recoverer = this.#spawn({ SAGAQL_CRASH_RECOVERY_AT: formatCrashPoint(recoveryPoint) });
    const { paymentMethodId, shippingCountry } = CHECKOUT_PATHS[crash.path];
    const checkout = {
      order: await createScenarioOrder(this.server.graphqlUrl, shippingCountry),
      paymentMethodId,
      idempotencyKey: crashKey(crash.point, randomUUID()),
    };
    void send(this.server.graphqlUrl, checkout).catch(() => "connection lost");
    await this.server.exited;
    recoverer.release();
    let dead = false;
    void recoverer.exited.then(() => (dead = true));
    await retryUntil(() => dead, { timeoutMs: 30_000, what: "the recovering process to crash" }).catch(() =>
      recoverer.kill(),
    );
    const crashLine = recoverer.logs().find((line) => line.msg === "crash injected");
    const report = await this.#restartAndCheck(checkout, "COMPENSATED", started);
    if (crashLine?.crashAt !== formatCrashPoint(recoveryPoint))
      report.violations.push(
        `the recovering process did not crash at ${formatCrashPoint(recoveryPoint)} (${String(crashLine?.crashAt)})`,
      );
    report.crashedWrite = crashLine?.write as string[] | undefined;
    return report;
  }

  /** A slow card's charge is under way (the journal shows `step` RUNNING) when the process is SIGKILLed from outside. */
  async killDuringStep(step: string, paymentMethodId = "pm_card_slow"): Promise<ScenarioReport> {
    const started = performance.now();
    const { checkout } = await this.#checkoutUntilRunning(step, paymentMethodId, "kill");
    await this.server.kill();
    return this.#restartAndCheck(checkout, "COMPENSATED", started);
  }

  /**
   * A slow card's charge is under way when a person cancels the run, and the process dies right before or right after
   * the cancel request's journal write. After it the next process finds the cancel journaled and finishes it
   * (CANCELLED); before it nothing was asked, and the run interrupted in its transaction is compensated.
   */
  async crashAtCancel(when: "before" | "after"): Promise<ScenarioReport> {
    const started = performance.now();
    const point: CrashPoint = { when, event: "run-cancel-requested" };
    const url = this.server.graphqlUrl;
    const checkout = {
      order: await createScenarioOrder(url),
      paymentMethodId: "pm_card_slow",
      idempotencyKey: crashKey(point, randomUUID()),
    };
    void send(url, checkout).catch(() => "connection lost");
    const running = async () =>
      (await findRunByKey(url, checkout.idempotencyKey))?.steps.find((s) => s.name === "charge-payment")?.status ===
      "RUNNING";
    await retryUntil(running, { timeoutMs: 20_000, intervalMs: 50, what: "charge-payment to be running" });
    const run = (await findRunByKey(url, checkout.idempotencyKey))!;
    const answer = await Promise.race([
      this.server.exited.then(() => "died"),
      cancelCheckoutRun(url, run.id, "crash test").catch(() => "connection lost"),
    ]);
    if (answer !== "died" && answer !== "connection lost")
      return failedReport(`the server answered the cancel (${answer}) instead of crashing ${when} it`);
    const crashLine = this.server.logs().find((line) => line.msg === "crash injected");
    const report = await this.#restartAndCheck(checkout, when === "after" ? "CANCELLED" : "COMPENSATED", started);
    if (crashLine?.crashAt !== formatCrashPoint(point))
      report.violations.push(`the server died, but not at the injected crash (${String(crashLine?.crashAt)})`);
    return report;
  }

  /** PostgreSQL: every connection to the app database is terminated while `step` runs; the server lives on. */
  async terminateConnectionsDuringStep(
    step: string,
    shippingCountry: string,
    expected: Outcome,
  ): Promise<ScenarioReport & { terminated: number }> {
    const started = performance.now();
    const { checkout, reply } = await this.#checkoutUntilRunning(step, "pm_card_slow", "terminate", shippingCountry);
    const terminated = await terminateOtherConnections(this.#database.url);
    await reply;
    const report = await this.#check(checkout, expected, started);
    if (this.server.child.exitCode !== null || this.server.child.signalCode !== null)
      report.violations.push("the server died when its connections were terminated");
    return { ...report, terminated };
  }

  /** Over everything the suite did on this database: no run left unfinished, every charge accounted for. */
  async wholeJournalViolations(): Promise<string[]> {
    const url = this.server.graphqlUrl;
    const runs = await listCheckoutRuns(url);
    const providers = readProviderRecords(this.#database.dataDir);
    const violations = runs
      .filter((run) => !["COMPLETED", "COMPENSATED", "CANCELLED"].includes(run.status))
      .map((run) => `run ${run.id} ended ${run.status}`);
    for (const charge of providers.charges) {
      const run = runs.find((r) => charge.idempotencyKey.startsWith(`${r.id}:`));
      const refunds = providers.refunds.filter((refund) => refund.chargeId === charge.id).length;
      if (!run) violations.push(`charge ${charge.id} belongs to no journaled run`);
      else if (refunds !== (run.status === "COMPLETED" ? 0 : 1))
        violations.push(`charge ${charge.id} of a ${run.status} run was refunded ${refunds} times`);
    }
    const stock = await readAllStock(url);
    for (const product of demoProducts)
      if (stock[product.sku] !== product.stock)
        violations.push(`demo product ${product.sku} has stock ${stock[product.sku]}, no checkout used it`);
    for (const [sku, count] of Object.entries(stock))
      if (count < 0) violations.push(`${sku} has negative stock ${count}`);
    return violations;
  }

  async close(): Promise<void> {
    await Promise.all(this.#standbys.splice(0).map((standby) => standby.kill()));
    await this.#server?.stop();
    this.#server = undefined;
    await this.#database.remove();
  }

  async #start(): Promise<ServerProcess> {
    const server = await (this.#standbys.shift() ?? this.#spawn()).ready();
    while (this.#standbys.length < STANDBYS) this.#standbys.push(this.#spawn());
    return server;
  }

  #spawn(env: Record<string, string> = {}): SpawnedServer {
    return spawnServerProcess(
      CRASH_SERVER,
      {
        ...env,
        DATABASE_URL: this.#database.url,
        DATA_DIR: this.#database.dataDir,
        CHECKOUT_SLOW_CARD_MS: "1500",
        SAGAQL_LEASE_MS: "1000",
        SAGAQL_RECOVERY_INTERVAL_MS: "200",
        SAGAQL_CRASH_FROM_KEYS: "1",
        SAGAQL_TRACE_JOURNAL: "1",
      },
      { held: true },
    );
  }

  async #traceCleanRun(path: CheckoutPath): Promise<void> {
    const { paymentMethodId, shippingCountry } = CHECKOUT_PATHS[path];
    const checkout = {
      order: await createScenarioOrder(this.server.graphqlUrl, shippingCountry),
      paymentMethodId,
      idempotencyKey: `clean:${randomUUID()}`,
    };
    await send(this.server.graphqlUrl, checkout);
    const report = await this.#check(checkout, path === "succeeds" ? "COMPLETED" : "COMPENSATED", performance.now());
    if (report.violations.length > 0)
      throw new Error(`a clean "${path}" checkout already breaks the invariants: ${report.violations.join("; ")}`);
    const run = await findRunByKey(this.server.graphqlUrl, checkout.idempotencyKey);
    const writes = this.server
      .logs()
      .filter((line) => line.msg === "journal write" && line.runId === run!.id)
      .map((line) => line.write as string[]);
    this.#traces.set(path, writes);
  }

  async #checkoutUntilRunning(step: string, paymentMethodId: string, prefix: string, shippingCountry = "US") {
    const url = this.server.graphqlUrl;
    const checkout = {
      order: await createScenarioOrder(url, shippingCountry),
      paymentMethodId,
      idempotencyKey: `${prefix}:${randomUUID()}`,
    };
    const reply = send(url, checkout).catch(() => "connection lost");
    const running = async () =>
      (await findRunByKey(url, checkout.idempotencyKey))?.steps.find((s) => s.name === step)?.status === "RUNNING";
    await retryUntil(running, { timeoutMs: 20_000, intervalMs: 50, what: `${step} to be running` });
    return { checkout, reply };
  }

  async #restartAndCheck(checkout: SentCheckout, expected: Outcome, started: number): Promise<ScenarioReport> {
    await this.server.exited;
    this.#server = undefined;
    const restarting = performance.now();
    this.#server = await this.#start();
    const restartMs = Math.round(performance.now() - restarting);
    return { ...(await this.#check(checkout, expected, started)), restartMs };
  }

  /** Waits for the run to end, then reads the order, the stock and the providers, and checks them. */
  async #check(checkout: SentCheckout, expected: Outcome, started: number): Promise<ScenarioReport> {
    const url = this.server.graphqlUrl;
    const { order } = checkout;
    const settling = performance.now();
    const found = await findRunByKey(url, checkout.idempotencyKey);
    const run = found && (await waitForTerminalRun(url, found.id));
    const settleMs = Math.round(performance.now() - settling);
    const facts = {
      scenario: order,
      run,
      order: await readOrder(url, order.orderId),
      stock: await readStock(url, order.sku),
      providers: readProviderRecords(this.#database.dataDir),
    };
    const violations = checkoutViolations(facts);
    const outcome = run?.status ?? "NOT STARTED";
    if (outcome !== expected) violations.push(`ended ${outcome}, expected ${expected}`);
    if (run) violations.push(...(await replayViolations(url, checkout, run)));
    return { outcome, violations, ms: Math.round(performance.now() - started), settleMs };
  }
}

function send(url: string, checkout: SentCheckout) {
  return sendCheckout(url, checkout.order.orderId, checkout.paymentMethodId, checkout.idempotencyKey);
}

/** The same request again, same key: the caller gets the run's recorded outcome, not a second run. */
async function replayViolations(
  url: string,
  checkout: SentCheckout,
  run: { id: string; status: string },
): Promise<string[]> {
  const reply = await send(url, checkout);
  const replayedRun = reply.runId ?? reply.failedRunId;
  const success = reply.__typename === "OrderCheckoutSuccess";
  if (replayedRun !== run.id || success !== (run.status === "COMPLETED")) {
    return [
      `replaying the request answered ${reply.__typename} for run ${replayedRun}, not the ${run.status} run ${run.id}`,
    ];
  }
  return [];
}

async function terminateOtherConnections(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
    );
    return result.rowCount ?? 0;
  } finally {
    await client.end();
  }
}

function failedReport(violation: string): ScenarioReport {
  return { outcome: "FAILED", violations: [violation], ms: 0 };
}
