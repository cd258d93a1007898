/**
 * The checkout server of `npm start` (`runApp` over the example's config) with a fault injected into its run
 * journal, for the crash suite: the process SIGKILLs itself right before or right after the journal write carrying
 * a chosen event. It expects a migrated database (the suite migrates once, with `applyMigrations`, instead of at
 * every one of its many starts); the rest is what `npm start` does: the same app, journal, recovery and HTTP server.
 *
 * Environment, on top of `npm start`'s (PORT, HOST, DATA_DIR, DATABASE_URL, CHECKOUT_SLOW_CARD_MS, SAGAQL_LEASE_MS,
 * SAGAQL_RECOVERY_INTERVAL_MS, SAGAQL_MAX_RECOVERY_ATTEMPTS, SAGAQL_RUN_RETENTION_MS, SAGAQL_INSTANCE_ID):
 * - `SAGAQL_CRASH_AT="after:step-started:charge-payment"`: every run started here crashes there;
 * - `SAGAQL_CRASH_FROM_KEYS=1`: a run whose idempotency key is `crash:<point>:<nonce>` crashes at that point;
 * - `SAGAQL_CRASH_RECOVERY_AT="after:compensation-started:charge-payment"`: every run recovered here crashes there;
 * - `SAGAQL_TRACE_JOURNAL=1`: logs every journal write ("journal write", with its events) — which events share a write;
 * - `SAGAQL_HOLD_START=1`: loads its modules, then waits for a line on stdin before it opens anything, so that a
 *   suite can have the next server loaded while it crashes the current one, and start it right after the crash;
 *   it exits when stdin closes (its test runner is gone).
 * Without them it serves as `npm start` does, less the migrations and GraphiQL.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { checkoutConfig, slowCardMsFrom } from "../../examples/checkout/config.ts";
import { runApp } from "../../src/app/run-app.ts";
import { providerOf } from "../../src/persistence/prisma/open-database.ts";
import { appPaths } from "../../src/app/app-paths.ts";
import { readAppEnv } from "../../src/app/read-app-env.ts";
import { createLogger } from "../../src/server/create-logger.ts";
import { crashOnJournalWrite, describeWrite } from "./crash-on-journal-write.ts";
import { formatCrashPoint, parseCrashPoint } from "./crash-point.ts";

const logger = createLogger();
const env = process.env;
const config = checkoutConfig({ slowCardMs: slowCardMsFrom(env), logger, graphiql: false });
if (env.SAGAQL_HOLD_START === "1") {
  await preloadGeneratedPrisma(providerOf(readAppEnv(env, config).databaseUrl));
  await heldUntilReleased();
}
const trace = env.SAGAQL_TRACE_JOURNAL === "1";
const wrapRunJournal = crashOnJournalWrite({
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
await runApp(config, { migrate: false, wrapRunJournal });

/** The app imports its provider's generated client lazily; loading it here is what makes a held start quick. */
async function preloadGeneratedPrisma(provider: "sqlite" | "postgresql"): Promise<void> {
  const dir = join(appPaths(config).generatedDir, provider);
  await Promise.all([
    import(pathToFileURL(join(dir, "client", "client.ts")).href),
    import(pathToFileURL(join(dir, "pothos-types.ts")).href),
  ]);
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
