import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { applyMigrations } from "../../src/persistence/apply-migrations.ts";
import { providerOf } from "../../src/persistence/open-database.ts";
import { useMetricsEndpoint } from "../../src/observability/use-metrics-endpoint.ts";
import { createLogger, type Logger } from "../../src/server/create-logger.ts";
import { createServer, type ListeningAddress, type SagaqlServer } from "../../src/server/create-server.ts";
import { useRunsConsole } from "../../src/server/runs-console.ts";
import { createCheckoutApp, type CheckoutApp, type CheckoutAppOptions, type CheckoutRecoveryOptions } from "./app.ts";
import { GRAPHIQL_DEFAULT_QUERY } from "./graphiql-default-query.ts";
import { seedDemoProducts } from "./seed.ts";

const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface ServeCheckoutOptions {
  databaseUrl: string;
  /** The simulated providers' files go here. */
  dataDir: string;
  /** 0 picks a free port. @default 4000 */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
  /** @default createLogger() */
  logger?: Logger;
  /** How long `pm_card_slow` takes, in ms. @default 3000 */
  slowCardMs?: number;
  /** @default true, false when NODE_ENV=production */
  graphiql?: boolean;
  /** Leases and crash recovery; see `CheckoutRecoveryOptions`. */
  recovery?: CheckoutRecoveryOptions;
  /** Wraps the journal the app opens (crash tests inject faults with it). @default none */
  wrapRunStore?: CheckoutAppOptions["wrapRunStore"];
}

export interface RunningCheckout {
  app: CheckoutApp;
  server: SagaqlServer;
  address: ListeningAddress;
  /** How many demo products this start inserted (0 when the catalogue already had some). */
  seeded: number;
  /** Graceful: requests in flight finish, then the app's resources close. */
  close(): Promise<void>;
}

/** What `npm start` does: migrate, build the example app, seed it once, serve it. */
export async function serveCheckout(options: ServeCheckoutOptions): Promise<RunningCheckout> {
  const logger = options.logger ?? createLogger();
  const started = performance.now();
  await mkdir(options.dataDir, { recursive: true });
  const provider = providerOf(options.databaseUrl);
  const migrated = await applyMigrations({ url: options.databaseUrl, schemaPath: join(PROJECT_ROOT, "prisma", provider, "schema.prisma"), cwd: PROJECT_ROOT });
  logger.info({ provider, ms: Math.round(performance.now() - started), output: lastLine(migrated.output), ranCli: migrated.ranCli }, "migrations applied");
  const app = await createCheckoutApp({
    databaseUrl: options.databaseUrl,
    dataDir: options.dataDir,
    logger,
    slowCardMs: options.slowCardMs,
    recovery: options.recovery,
    wrapRunStore: options.wrapRunStore,
  });
  try {
    const seeded = await seedDemoProducts(app.driver);
    if (seeded > 0) logger.info({ products: seeded }, "seeded demo products");
    const server = createServer({
      schema: app.schema,
      logger,
      graphiql: (options.graphiql ?? process.env.NODE_ENV !== "production") ? { title: "sagaql · checkout example", defaultQuery: GRAPHIQL_DEFAULT_QUERY } : false,
      healthChecks: app.healthChecks,
      plugins: [...useMetricsEndpoint(app.metrics.registry), useRunsConsole()],
      onClose: [() => app.close()],
    });
    const address = await server.listen({ port: options.port, host: options.host });
    logger.info({ ms: Math.round(performance.now() - started), url: address.graphqlUrl, runsConsole: `${address.url}/runs` }, "checkout example ready");
    return { app, server, address, seeded, close: () => server.close() };
  } catch (error) {
    await app.close();
    throw error;
  }
}

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "";
}
