/**
 * The checkout example as `npm start` serves it, in-process on a free port: `createApp` over the example's config,
 * on a database the test made (migrated by the app as at any start).
 */
import { checkoutConfig } from "../../examples/checkout/config.ts";
import { createApp, type CreateAppOptions, type SagaqlApp } from "../../src/app/create-app.ts";
import type { ListeningAddress } from "../../src/server/create-server.ts";
import type { Logger } from "../../src/server/create-logger.ts";
import type { CheckoutServices } from "../../examples/checkout/services/checkout-services.ts";

export interface ServeCheckoutOptions {
  databaseUrl: string;
  /** The simulated providers' files go here. */
  dataDir: string;
  logger: Logger;
  /** How long `pm_card_slow` takes, in ms. @default 3000 */
  slowCardMs?: number;
  /** @default true */
  graphiql?: boolean;
  /** @default true */
  migrate?: boolean;
  recovery?: CreateAppOptions["recovery"];
}

export interface RunningCheckout {
  app: SagaqlApp<CheckoutServices>;
  address: ListeningAddress;
  /** Graceful: requests in flight finish, then the app closes. */
  close(): Promise<void>;
}

export async function serveCheckout(options: ServeCheckoutOptions): Promise<RunningCheckout> {
  const config = checkoutConfig({ slowCardMs: options.slowCardMs, logger: options.logger, graphiql: options.graphiql });
  const app = await createApp({
    ...config,
    databaseUrl: options.databaseUrl,
    dataDir: options.dataDir,
    migrate: options.migrate,
    recovery: options.recovery,
  });
  try {
    const address = await app.listen({ port: 0, host: "127.0.0.1" });
    return { app, address, close: () => app.close() };
  } catch (error) {
    await app.close();
    throw error;
  }
}
