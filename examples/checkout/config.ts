import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, jwtBearer, wholeNumber, type ServerLogger } from "../../src/index.ts";
import { checkoutUserFrom } from "./auth/checkout-user.ts";
import { checkoutRunControl } from "./auth/run-control-rule.ts";
import { developmentBanner } from "./auth/development-banner.ts";
import { developmentTokens } from "./auth/development-tokens.ts";
import { jwtSecretFrom } from "./auth/jwt-secret.ts";
import { entities } from "./entities.ts";
import { GRAPHIQL_DEFAULT_QUERY } from "./graphiql-default-query.ts";
import { seedDemoCustomers, seedDemoProducts } from "./seed.ts";
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
  /** Where `SAGAQL_JWT_SECRET` and `NODE_ENV` are read. @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** The e-commerce example as a sagaql app: products, orders and the checkout saga, seeded once with demo products. */
export function checkoutConfig(options: CheckoutConfigOptions = {}) {
  const env = options.env ?? process.env;
  // Refused here, before anything opens the database: a production start without its own secret.
  const { secret } = jwtSecretFrom(env);
  const development = env.NODE_ENV !== "production";
  const tokens = development ? developmentTokens(secret) : undefined;
  return defineConfig({
    name: "checkout example",
    root: ROOT,
    entities,
    // Its own folder for generated clients: the repository also generates the test fixtures' clients.
    generatedDir: "generated/checkout",
    sqliteFile: "checkout.db",
    services: ({ dataDir }) => checkoutServices({ dataDir, slowCardMs: options.slowCardMs }),
    server: {
      graphiql:
        options.graphiql === false
          ? false
          : {
              title: "sagaql · checkout example",
              defaultQuery: GRAPHIQL_DEFAULT_QUERY,
              ...graphiqlHeaders(tokens?.customer),
            },
      runsConsole: { defaultToken: tokens?.admin },
    },
    requestContext: jwtBearer({ secret, toUser: checkoutUserFrom }),
    runControl: { authorize: checkoutRunControl },
    banner: (address) => (tokens ? developmentBanner(address, tokens) : undefined),
    ...(options.logger ? { logger: options.logger } : {}),
    async onStart(app) {
      const seeded = await seedDemoProducts(app.driver);
      if (seeded > 0) app.logger.info({ products: seeded }, "seeded demo products");
      const customers = await seedDemoCustomers(app.driver);
      if (customers > 0) app.logger.info({ customers }, "seeded demo customers");
    },
  });
}

/** In development GraphiQL's tabs start with the demo customer's Authorization header. */
function graphiqlHeaders(customerToken: string | undefined): { headers?: string; defaultHeaders?: string } {
  if (!customerToken) return {};
  const headers = JSON.stringify({ Authorization: `Bearer ${customerToken}` }, null, 2);
  return { headers, defaultHeaders: headers };
}

/** `CHECKOUT_SLOW_CARD_MS`: how long `pm_card_slow` takes, in ms. */
export function slowCardMsFrom(env: NodeJS.ProcessEnv): number | undefined {
  return wholeNumber(env, "CHECKOUT_SLOW_CARD_MS");
}
