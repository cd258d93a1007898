import type { RunContext } from "./context.ts";
import type { Driver } from "./driver.ts";
import type { SerializedError } from "./errors.ts";
import type { JournalWriter } from "./journal-writer.ts";
import type { Logger } from "./logger.ts";
import type { RunStore } from "./run-store.ts";
import type { AnyStepContext, Step } from "./step.ts";

/** Why a run stopped going forward: the step that failed (or null before any step), and its error. */
export interface StepFailure {
  index: number;
  stepName: string | null;
  error: unknown;
  attempts: number;
  rolledBack: boolean;
}

/** Where a run resumed from its journal stands: what the interrupted execution already did. */
export interface ResumePoint {
  /** The first unfinished step, by index. */
  stepIndex: number;
  /** The attempt that step continues with: the interrupted attempt runs again, under the same key. */
  nextAttempt: number;
  /** True when the journal shows the run already compensating: the run goes on undoing, not forward. */
  compensating: boolean;
  /** Steps whose compensation already completed, by index. */
  compensated: ReadonlySet<number>;
  /** Steps whose compensation already failed for good, by index. */
  compensationFailed: ReadonlyMap<number, SerializedError>;
  /** The attempt an interrupted compensation continues with, by index. */
  compensationAttempts: readonly number[];
}

/**
 * What a transactional run keeps to replay its transaction when the database connection is lost mid-way:
 * the steps' results and shared data, so that external steps are not executed a second time.
 */
export interface ReplayLog {
  readonly initialData: Record<string, unknown>;
  /** `ctx.data` after each completed step, by index. */
  readonly dataAfter: Record<string, unknown>[];
  /** Set while replaying: what the lost transaction's steps returned; external steps' results are reused. */
  previous: { results: readonly unknown[]; dataAfter: readonly Record<string, unknown>[] } | undefined;
}

/** Everything one execution carries between its phases; never shared between runs. */
export interface RunState {
  readonly ctx: RunContext;
  readonly steps: readonly Step<AnyStepContext, unknown>[];
  /** Results of the completed steps, by position; its length is how far the run got. */
  readonly results: unknown[];
  readonly store: RunStore | undefined;
  /** Present exactly when `store` is: the run's events go through it. */
  readonly journal: JournalWriter | undefined;
  /**
   * True when database steps run exactly once: a durable, non-transactional run gives each of them its own
   * transaction, which also writes the step's checkpoint.
   */
  readonly checkpoints: boolean;
  /** True when the journal lives in the app database: a database step's transaction also carries its events. */
  journalInTransaction: boolean;
  readonly logger: Logger;
  readonly baseDriver: Driver;
  /** The caller's key for the whole run (not a step's `ctx.idempotencyKey`). */
  readonly idempotencyKey: string | undefined;
  /** Set when the run was resumed from its journal. */
  resume: ResumePoint | undefined;
  /** Present for a transactional run that is executed (not resumed). */
  replayLog: ReplayLog | undefined;
  failure: StepFailure | undefined;
}

/** Positional on purpose: this runs once per run, and an options object would be one more allocation. */
export function newRunState(
  ctx: RunContext,
  steps: readonly Step<AnyStepContext, unknown>[],
  journal: JournalWriter | undefined,
  checkpoints: boolean,
  logger: Logger,
  idempotencyKey: string | undefined,
): RunState {
  return {
    ctx,
    steps,
    results: [],
    store: journal?.store,
    journal,
    checkpoints,
    journalInTransaction: false,
    logger,
    baseDriver: ctx.driver,
    idempotencyKey,
    resume: undefined,
    replayLog: undefined,
    failure: undefined,
  };
}
