import type { DurableRunJournal } from "./durable-run-journal.ts";
import { serializeError } from "../errors.ts";
import { consoleLogger, type Logger } from "../logger.ts";
import { PeriodicPass } from "../recovery/periodic-pass.ts";

/** Finished runs are kept 30 days by default: long past any client resending a key, short of an ever-growing journal. */
export const DEFAULT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

export interface RunRetentionOptions {
  store: DurableRunJournal;
  /** How long a finished run is kept after it ended, in ms. @default 30 days */
  maxAgeMs?: number;
  /** Runs deleted per transaction: small batches keep each one short, so runs in progress never wait on it. @default 100 */
  batchSize?: number;
  /** How often to prune, in ms. @default one hour */
  intervalMs?: number;
  /** @default JSON lines on stderr */
  logger?: Logger;
}

/**
 * Deletes finished runs (COMPLETED, COMPENSATED, FAILED) once they are older than `maxAgeMs`, with their steps and
 * events, in batches — at start and then every `intervalMs`. Running and compensating runs are never touched, and
 * neither is a run younger than the age, so a duplicate request within it still finds its run.
 */
export class RunRetention {
  readonly #options: Required<Omit<RunRetentionOptions, "logger">> & { logger: Logger };
  readonly #periodic: PeriodicPass<number>;

  constructor(options: RunRetentionOptions) {
    this.#options = {
      store: options.store,
      maxAgeMs: options.maxAgeMs ?? DEFAULT_RETENTION_MS,
      batchSize: options.batchSize ?? 100,
      intervalMs: options.intervalMs ?? 60 * 60 * 1000,
      logger: options.logger ?? consoleLogger,
    };
    this.#periodic = new PeriodicPass(() => this.#runPass(), this.#options.intervalMs);
  }

  /** A first pass now, then one every `intervalMs`; resolves with the first pass's count. */
  start(): Promise<number> {
    return this.#periodic.start();
  }

  /** One pass: batches until fewer than `batchSize` were due. Never rejects: a failure is logged and tried next time. */
  pruneNow(): Promise<number> {
    return this.#periodic.now();
  }

  stop(): Promise<void> {
    return this.#periodic.stop();
  }

  async #runPass(): Promise<number> {
    const { store, maxAgeMs, batchSize, logger } = this.#options;
    const endedBefore = new Date(Date.now() - maxAgeMs);
    let pruned = 0;
    try {
      for (let deleted = batchSize; deleted === batchSize; pruned += deleted) {
        deleted = await store.pruneFinishedRuns(endedBefore, batchSize);
        // Between batches, whatever else the process has to do goes first.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      logger.error(
        { err: serializeError(error), pruned },
        "pruning finished runs failed; trying again at the next interval",
      );
    }
    if (pruned > 0) logger.info({ pruned, endedBefore }, "pruned finished runs");
    return pruned;
  }
}
