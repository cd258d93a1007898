import { RunRecovery } from "../engine/recovery/run-recovery.ts";
import { RunRetention } from "../engine/journal/run-retention.ts";
import type { DurableRunJournal } from "../engine/journal/durable-run-journal.ts";
import type { ActionRuntime, AnyEntity } from "../action/run-action.ts";
import { entityWorkflows } from "../action/entity-workflows.ts";
import type { RecoveryConfig } from "./define-config.ts";

/** In the background: a first pass resumes what the last process left unfinished, without delaying startup. */
export function startRecovery(
  runtime: ActionRuntime,
  store: DurableRunJournal,
  entities: readonly AnyEntity[],
  options: RecoveryConfig = {},
): RunRecovery | undefined {
  if (options.enabled === false) return undefined;
  const recovery = new RunRecovery({
    store,
    driver: runtime.driver,
    workflows: entityWorkflows(entities),
    services: runtime.services,
    logger: runtime.logger,
    intervalMs: options.intervalMs,
    maxRecoveryAttempts: options.maxRecoveryAttempts,
  });
  void recovery.start();
  return recovery;
}

/** Pruning runs with each instance: batches are small and skip each other's rows, so several instances may prune. */
export function startRetention(
  runtime: ActionRuntime,
  store: DurableRunJournal,
  options: RecoveryConfig = {},
): RunRetention | undefined {
  if (options.enabled === false || options.retentionMs === 0) return undefined;
  const retention = new RunRetention({ store, maxAgeMs: options.retentionMs, logger: runtime.logger });
  void retention.start();
  return retention;
}
