import type { WorkflowDefinition } from "../definition/define-workflow.ts";
import type { Driver } from "../definition/driver.ts";
import { isTerminalStatus, type DurableRunJournal, type RunLease } from "../journal/durable-run-journal.ts";
import { serializeError, WorkflowDefinitionChangedError, type SerializedError } from "../errors.ts";
import { localRuns } from "./local-runs.ts";
import { consoleLogger, type Logger } from "../logger.ts";
import type { RunEvent } from "../journal/run-events.ts";
import { resumeWorkflow } from "./resume-workflow.ts";
import { PeriodicPass } from "./periodic-pass.ts";
import { ownerIsGone } from "./run-owner.ts";
import type { ServiceMap, ServiceRegistry } from "../definition/services.ts";

/** Unfinished runs looked at per pass for an owner that is gone: oldest first, as claims go. */
const GONE_OWNER_SCAN = 500;

export interface RunRecoveryOptions {
  /** The journal to recover from; this instance claims runs as `store.owner`. */
  store: DurableRunJournal;
  driver: Driver;
  /** Every workflow this instance can resume, by name. A run of any other workflow is parked. */
  workflows: readonly WorkflowDefinition<never, unknown>[];
  /** Services for `ctx.resolve(name)`. @default none */
  services?: ServiceRegistry | ServiceMap;
  /** @default JSON lines on stderr */
  logger?: Logger;
  /** How often to look for runs whose lease ran out, in ms. @default 5000 */
  intervalMs?: number;
  /**
   * Takeovers (and failed resumptions here) after which a run is parked — ended FAILED for a person to look
   * at — instead of resumed again: a run that crashes every process that resumes it must not loop. @default 5
   */
  maxRecoveryAttempts?: number;
  /** Runs claimed per round trip. @default 10 */
  batchSize?: number;
}

export interface RecoveryPass {
  /** Runs resumed to their end in this pass. */
  resumed: number;
  /** Runs parked (dead letter) in this pass. */
  parked: number;
  /** Runs whose resumption failed; they are tried again after their lease runs out. */
  failed: number;
}

/**
 * Finishes the runs that an instance stopped executing — crashed, killed, or cut off from the journal: at start
 * and then every `intervalMs`, it claims the runs whose lease ran out (of several instances exactly one gets each
 * run) and resumes them with `resumeWorkflow`.
 */
export class RunRecovery {
  readonly #options: Required<Omit<RunRecoveryOptions, "services">> & Pick<RunRecoveryOptions, "services">;
  readonly #workflows: ReadonlyMap<string, WorkflowDefinition<never, unknown>>;
  readonly #failures = new Map<string, number>();
  readonly #periodic: PeriodicPass<RecoveryPass>;

  constructor(options: RunRecoveryOptions) {
    this.#options = {
      ...options,
      logger: options.logger ?? consoleLogger,
      intervalMs: options.intervalMs ?? 5000,
      maxRecoveryAttempts: options.maxRecoveryAttempts ?? 5,
      batchSize: options.batchSize ?? 10,
    };
    this.#workflows = new Map(options.workflows.map((w) => [w.name, w]));
    this.#periodic = new PeriodicPass(() => this.#runPass(), this.#options.intervalMs);
  }

  /** Runs a first pass now and then one every `intervalMs`; resolves with the first pass. */
  start(): Promise<RecoveryPass> {
    return this.#periodic.start();
  }

  /** One pass; a call while a pass is under way shares it. Never rejects: problems are logged. */
  recoverNow(): Promise<RecoveryPass> {
    return this.#periodic.now();
  }

  /** Stops the timer and waits for the pass under way. */
  stop(): Promise<void> {
    return this.#periodic.stop();
  }

  async #runPass(): Promise<RecoveryPass> {
    const pass: RecoveryPass = { resumed: 0, parked: 0, failed: 0 };
    const { store, batchSize, logger } = this.#options;
    try {
      for (const outcome of await this.#takeOverFromGoneOwners()) pass[outcome] += 1;
      for (;;) {
        const leases = await store.claimRecoverableRuns(store.owner, store.leaseMs, batchSize);
        const outcomes = await Promise.all(
          leases.filter((l) => !localRuns.has(l.runId)).map((lease) => this.#recover(lease)),
        );
        for (const outcome of outcomes) pass[outcome] += 1;
        if (leases.length < batchSize) break;
      }
    } catch (error) {
      logger.error({ err: serializeError(error) }, "run recovery pass failed; trying again at the next interval");
    }
    return pass;
  }

  /**
   * Runs whose lease is still live but whose owner is provably gone (a process of this host that died, or this
   * instance before a restart) are taken over now: waiting out their lease would leave them, and every client
   * resending their keys, stuck for its whole length. Claimed only from that very owner, so a run another
   * recoverer took first is left alone.
   */
  async #takeOverFromGoneOwners(): Promise<Array<keyof RecoveryPass>> {
    const { store } = this.#options;
    const unfinished = await store.listUnfinishedRuns({ take: GONE_OWNER_SCAN });
    const orphans = unfinished.filter(
      (r) => r.owner !== null && !localRuns.has(r.run.id) && ownerIsGone(r.owner, store.owner),
    );
    const leases = await Promise.all(
      orphans.map((r) => store.claimRun(r.run.id, store.owner, store.leaseMs, r.owner!)),
    );
    return Promise.all(
      leases.filter((lease): lease is RunLease => lease !== null).map((lease) => this.#recover(lease)),
    );
  }

  async #recover(lease: RunLease): Promise<keyof RecoveryPass> {
    const { store, logger, maxRecoveryAttempts } = this.#options;
    const attempts = lease.recoveryAttempts + (this.#failures.get(lease.runId) ?? 0);
    if (attempts > maxRecoveryAttempts) {
      return this.#park(
        lease.runId,
        `Run was taken over ${attempts} times without finishing; parked after ${maxRecoveryAttempts}`,
      );
    }
    try {
      const journaled = await store.getJournaledRun(lease.runId);
      if (!journaled || isTerminalStatus(journaled.run.status)) return "resumed";
      const definition = this.#workflows.get(journaled.run.workflow);
      if (!definition)
        return this.#park(lease.runId, {
          name: "UnknownWorkflowError",
          message: `No workflow "${journaled.run.workflow}" here to resume the run with`,
          code: "WORKFLOW_UNKNOWN",
        });
      const outcome = await resumeWorkflow(this.#options.driver, definition, journaled, {
        store,
        started: await startedEvent(store, lease.runId),
        services: this.#options.services,
        logger,
      });
      logger.info(
        { runId: lease.runId, workflow: definition.name, status: outcome.status, takeovers: lease.recoveryAttempts },
        "recovered an interrupted run",
      );
      this.#failures.delete(lease.runId);
      return "resumed";
    } catch (error) {
      if (error instanceof WorkflowDefinitionChangedError) return this.#park(lease.runId, serializeError(error));
      this.#failures.set(lease.runId, (this.#failures.get(lease.runId) ?? 0) + 1);
      logger.error(
        { runId: lease.runId, err: serializeError(error) },
        "could not resume an interrupted run; it will be tried again",
      );
      return "failed";
    }
  }

  async #park(runId: string, reason: string | SerializedError): Promise<"parked"> {
    const parked = await this.#options.store.parkRun(runId, reason);
    this.#failures.delete(runId);
    if (parked)
      this.#options.logger.error(
        { runId, reason },
        "parked a run that recovery cannot finish; a person must look at it",
      );
    return "parked";
  }
}

async function startedEvent(
  store: DurableRunJournal,
  runId: string,
): Promise<Extract<RunEvent, { type: "run-started" }> | undefined> {
  const [first] = await store.listEvents({ runId, take: 1 });
  return first?.event.type === "run-started" ? first.event : undefined;
}
