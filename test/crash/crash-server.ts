/**
 * The checkout server of `npm start` (src/server/main.ts) with a fault injected into its run journal, for the
 * crash suite: the process SIGKILLs itself right before or right after the journal write carrying a chosen event.
 * It expects a migrated database (the suite migrates once, with `applyMigrations`, instead of at every one of
 * its many starts); the rest is what `serveCheckout` does: the same app, journal, recovery and HTTP server.
 *
 * Environment, on top of main.ts's (PORT, HOST, DATA_DIR, DATABASE_URL, CHECKOUT_SLOW_CARD_MS, SAGAQL_LEASE_MS,
 * SAGAQL_RECOVERY_INTERVAL_MS, SAGAQL_MAX_RECOVERY_ATTEMPTS):
 * - `SAGAQL_CRASH_AT="after:step-started:charge-payment"`: every run started here crashes there;
 * - `SAGAQL_CRASH_FROM_KEYS=1`: a run whose idempotency key is `crash:<point>:<nonce>` crashes at that point;
 * - `SAGAQL_CRASH_RECOVERY_AT="after:compensation-started:charge-payment"`: every run recovered here crashes there;
 * - `SAGAQL_TRACE_JOURNAL=1`: logs every journal write ("journal write", with its events) — which events share a write;
 * - `SAGAQL_HOLD_START=1`: loads its modules, then waits for a line on stdin before it opens anything, so that a
 *   suite can have the next server loaded while it crashes the current one, and start it right after the crash;
 *   it exits when stdin closes (its test runner is gone).
 * Without them it serves as main.ts does, less the migrations and GraphiQL.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createCheckoutApp } from "../../examples/checkout/app.ts";
import { seedDemoProducts } from "../../examples/checkout/seed.ts";
import { providerOf } from "../../src/persistence/open-database.ts";
import { createLogger } from "../../src/server/create-logger.ts";
import { createServer } from "../../src/server/create-server.ts";
import { readServerConfig } from "../../src/server/server-config.ts";
import { useRunsConsole } from "../../src/server/runs-console.ts";
import { useMetricsEndpoint } from "../../src/observability/use-metrics-endpoint.ts";
import { shutdownOnSignals } from "../../src/server/shutdown-on-signals.ts";
import { crashOnJournalWrite, describeWrite } from "./crash-on-journal-write.ts";
import { formatCrashPoint, parseCrashPoint } from "./crash-point.ts";

const logger = createLogger();
const env = process.env;
try {
  const config = readServerConfig(env, join(dirname(fileURLToPath(import.meta.url)), "..", ".."));
  if (env.SAGAQL_HOLD_START === "1") {
    await preloadGeneratedPrisma(providerOf(config.databaseUrl));
    await heldUntilReleased();
  }
  const trace = env.SAGAQL_TRACE_JOURNAL === "1";
  const wrapRunStore = crashOnJournalWrite({
    point: env.SAGAQL_CRASH_AT ? parseCrashPoint(env.SAGAQL_CRASH_AT) : undefined,
    fromKeys: env.SAGAQL_CRASH_FROM_KEYS === "1",
    recoveryPoint: env.SAGAQL_CRASH_RECOVERY_AT ? parseCrashPoint(env.SAGAQL_CRASH_RECOVERY_AT) : undefined,
    onWrite: trace ? (events) => logger.info(describeWrite(events), "journal write") : undefined,
    crash(point, events) {
      // The logger writes synchronously: the line is out before the signal lands.
      logger.warn({ crashAt: formatCrashPoint(point), ...describeWrite(events) }, "crash injected");
      process.kill(process.pid, "SIGKILL");
      throw new Error("unreachable: SIGKILL was sent");
    },
  });
  const app = await createCheckoutApp({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    logger,
    slowCardMs: whole(env.CHECKOUT_SLOW_CARD_MS),
    recovery: { leaseMs: whole(env.SAGAQL_LEASE_MS), intervalMs: whole(env.SAGAQL_RECOVERY_INTERVAL_MS), maxRecoveryAttempts: whole(env.SAGAQL_MAX_RECOVERY_ATTEMPTS) },
    wrapRunStore,
  });
  await seedDemoProducts(app.driver);
  const server = createServer({ schema: app.schema, logger, graphiql: false, healthChecks: app.healthChecks, plugins: [...useMetricsEndpoint(app.metrics.registry), useRunsConsole()], onClose: [() => app.close()] });
  shutdownOnSignals(() => server.close(), logger);
  const address = await server.listen({ port: config.port, host: config.host });
  logger.info({ url: address.graphqlUrl, owner: app.store.owner }, "checkout example ready");
} catch (error) {
  logger.fatal({ err: error }, "could not start");
  process.exit(1);
}

/** The app imports its provider's generated client lazily; loading it here is what makes a held start quick. */
async function preloadGeneratedPrisma(provider: "sqlite" | "postgresql"): Promise<void> {
  if (provider === "postgresql") {
    await Promise.all([import("../../generated/checkout/postgresql/client/client.ts"), import("../../generated/checkout/postgresql/pothos-types.ts")]);
  } else {
    await Promise.all([import("../../generated/checkout/sqlite/client/client.ts"), import("../../generated/checkout/sqlite/pothos-types.ts")]);
  }
}

/**
 * Resolves at the first line on stdin. Whenever stdin closes — before or after that line — whoever held this
 * process is gone (a test runner that died), and so the process goes too instead of lingering.
 */
function heldUntilReleased(): Promise<void> {
  return new Promise((resolve) => {
    process.stdin.once("data", () => resolve()).once("end", () => process.exit(0));
  });
}

function whole(value: string | undefined): number | undefined {
  return value ? Number(value) : undefined;
}
