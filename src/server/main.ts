/**
 * `npm start`: the checkout example on the embedded SQLite database (or PostgreSQL when DATABASE_URL says so),
 * GraphiQL at /graphql. The one module under src/server that knows the example: it is the example's entry point.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { serveCheckout } from "../../examples/checkout/serve.ts";
import { createLogger } from "./create-logger.ts";
import { readServerConfig } from "./server-config.ts";
import { shutdownOnSignals } from "./shutdown-on-signals.ts";

const logger = createLogger();
try {
  const config = readServerConfig(process.env, join(dirname(fileURLToPath(import.meta.url)), "..", ".."));
  const slowCardMs = optionalMs(process.env.CHECKOUT_SLOW_CARD_MS, "CHECKOUT_SLOW_CARD_MS");
  const recovery = {
    leaseMs: optionalMs(process.env.SAGAQL_LEASE_MS, "SAGAQL_LEASE_MS"),
    intervalMs: optionalMs(process.env.SAGAQL_RECOVERY_INTERVAL_MS, "SAGAQL_RECOVERY_INTERVAL_MS"),
    maxRecoveryAttempts: optionalMs(process.env.SAGAQL_MAX_RECOVERY_ATTEMPTS, "SAGAQL_MAX_RECOVERY_ATTEMPTS"),
    retentionMs: optionalMs(process.env.SAGAQL_RUN_RETENTION_MS, "SAGAQL_RUN_RETENTION_MS"),
  };
  const starting = serveCheckout({ ...config, logger, slowCardMs, recovery });
  // Installed before startup finishes: a signal during migrations waits for the server, then shuts it down.
  shutdownOnSignals(async () => (await starting).close(), logger);
  const running = await starting;
  process.stdout.write(`\n  sagaql checkout example is running\n  GraphiQL: ${running.address.graphqlUrl}\n\n`);
} catch (error) {
  logger.fatal({ err: error }, "could not start");
  process.exit(1);
}

/**
 * A whole, non-negative number from the environment: `CHECKOUT_SLOW_CARD_MS` (how long pm_card_slow takes,
 * default 3000), `SAGAQL_LEASE_MS` (default 30000), `SAGAQL_RECOVERY_INTERVAL_MS` (default 5000),
 * `SAGAQL_MAX_RECOVERY_ATTEMPTS` (default 5), `SAGAQL_RUN_RETENTION_MS` (how long finished runs are kept, default
 * 30 days; 0 keeps them forever).
 */
function optionalMs(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0) throw new Error(`${name} must be a whole number of milliseconds, got "${value}"`);
  return ms;
}
