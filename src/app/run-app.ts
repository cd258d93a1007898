import { createLogger, type Logger } from "../server/create-logger.ts";
import { shutdownOnSignals } from "../server/shutdown-on-signals.ts";
import { AppStartError } from "./app-errors.ts";
import { createApp, type CreateAppOptions, type SagaqlApp } from "./create-app.ts";
import type { AppEntities, AppServices, SagaqlConfig } from "./define-config.ts";
import { readAppEnv } from "./read-app-env.ts";

export interface RunAppOptions {
  /** Where `PORT`, `HOST`, `DATABASE_URL`, `DATA_DIR`, `NODE_ENV` and the `SAGAQL_*` settings are read. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Apply pending migrations before serving. @default true */
  migrate?: boolean;
  /** Wraps the journal the app opens (fault injection in tests). @default none */
  wrapRunJournal?: CreateAppOptions["wrapRunJournal"];
}

/**
 * What `sagaql start` and `npm start` do: the app configured from the environment, migrated, served;
 * SIGTERM and SIGINT shut it down gracefully and exit 0. A start that fails prints why and exits 1 — one line
 * naming the problem and the fix when the cause is known (`AppStartError`), the error with its stack otherwise.
 */
export async function runApp<E extends AppEntities, S extends AppServices>(
  config: SagaqlConfig<E, S>,
  options: RunAppOptions = {},
): Promise<SagaqlApp<S>> {
  const logger = config.logger ?? createLogger();
  try {
    const env = readAppEnv(options.env ?? process.env, config);
    const running = (async () => {
      const app = await createApp({
        ...config,
        logger,
        databaseUrl: env.databaseUrl,
        dataDir: env.dataDir,
        recovery: { ...config.recovery, ...env.recovery },
        ...(options.migrate === false ? { migrate: false } : {}),
        ...(options.wrapRunJournal ? { wrapRunJournal: options.wrapRunJournal } : {}),
      });
      return { app, address: await app.listen({ port: env.port, host: env.host }) };
    })();
    // Installed before startup finishes: a signal during migrations waits for the server, then shuts it down.
    shutdownOnSignals(async () => (await running).app.close(), logger);
    const { app, address } = await running;
    const graphiql = (config.server?.graphiql ?? !env.production) !== false;
    const extra = config.banner?.(address);
    process.stdout.write(
      `\n  ${app.name} is running\n  ${graphiql ? "GraphiQL" : "GraphQL"}: ${address.graphqlUrl}\n${extra ? `${extra}\n` : ""}\n`,
    );
    return app;
  } catch (error) {
    exitWith(error, logger);
  }
}

function exitWith(error: unknown, logger: Logger): never {
  if (error instanceof AppStartError) {
    process.stderr.write(`sagaql: ${error.message}\n`);
  } else {
    logger.fatal({ err: error }, "could not start");
  }
  process.exit(1);
}
