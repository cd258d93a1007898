import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { AppConfigError, defineConfig, type ServerLogger } from "../../src/index.ts";
import { entities } from "./entities.ts";
import { GRAPHIQL_DEFAULT_QUERY } from "./graphiql-default-query.ts";
import { seedDemoProducts } from "./seed.ts";
import { checkoutServices } from "./services/checkout-services.ts";

/** The repository root is the example's project: `prisma/`, `schema/schema.graphql`, `codegen.ts`, `data/`. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface CheckoutConfigOptions {
  /** How long the `pm_card_slow` test card takes to charge, in ms. @default 3000 */
  slowCardMs?: number;
  /** @default the app's: pino to stdout */
  logger?: ServerLogger;
  /** GraphiQL at /graphql. @default shown unless NODE_ENV=production */
  graphiql?: boolean;
}

/** The e-commerce example as a sagaql app: products, orders and the checkout saga, seeded once with demo products. */
export function checkoutConfig(options: CheckoutConfigOptions = {}) {
  return defineConfig({
    name: "checkout example",
    root: ROOT,
    entities,
    // Its own folder for generated clients: the repository also generates the test fixtures' clients.
    generatedDir: "generated/checkout",
    sqliteFile: "checkout.db",
    services: ({ dataDir }) => checkoutServices({ dataDir, slowCardMs: options.slowCardMs }),
    server: {
      graphiql: options.graphiql === false ? false : { title: "sagaql · checkout example", defaultQuery: GRAPHIQL_DEFAULT_QUERY },
    },
    ...(options.logger ? { logger: options.logger } : {}),
    async onStart(app) {
      const seeded = await seedDemoProducts(app.driver);
      if (seeded > 0) app.logger.info({ products: seeded }, "seeded demo products");
    },
  });
}

/** `CHECKOUT_SLOW_CARD_MS`: how long `pm_card_slow` takes, in ms. */
export function slowCardMsFrom(env: NodeJS.ProcessEnv): number | undefined {
  const value = env.CHECKOUT_SLOW_CARD_MS?.trim();
  if (!value) return undefined;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0) throw new AppConfigError(`CHECKOUT_SLOW_CARD_MS must be a whole number of milliseconds, got "${value}"`);
  return ms;
}
