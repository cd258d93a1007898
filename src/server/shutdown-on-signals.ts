import type { Logger } from "pino";

/**
 * SIGTERM (orchestrators) and SIGINT (Ctrl-C) start a graceful shutdown, then exit 0 once it is done.
 * Repeated signals are ignored rather than treated as "force quit": under `npm start` one Ctrl-C reaches the
 * server several times (the terminal signals the whole process group, and npm and tsx relay it too).
 * The shutdown grace period bounds how long it can take.
 */
export function shutdownOnSignals(close: () => Promise<void>, logger: Logger): void {
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) return logger.debug({ signal }, "signal received again: already shutting down");
    shuttingDown = true;
    logger.info({ signal }, "signal received: shutting down");
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
