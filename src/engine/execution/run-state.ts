import type { RunContext } from "../definition/context.ts";
import type { WorkflowOptions } from "../definition/define-workflow.ts";
import type { Driver } from "../definition/driver.ts";
import type { SerializedError } from "../errors.ts";
import type { JournalWriter } from "../journal/journal-writer.ts";
import type { Logger } from "../logger.ts";
import type { RunControlRequest } from "../journal/run-events.ts";
import type { RunSignals } from "../control/run-signals.ts";
import type { RunJournal } from "../journal/run-journal.ts";
import type { AnyStepContext, Step } from "../definition/step.ts";

/** Why a run stopped going forward: the step that failed (or null before any step), and its error. */
export interface StepFailure {
  index: number;
  stepName: string | null;
  error: unknown;
  attempts: number;
  rolledBack: boolean;
  /** Set when the run had got past a pivot and forward recovery gave up: it is parked, not compensated. */
  stuckAfterPivot?: boolean;
  /**
   * Set when the failed step was cut off mid-call (a cancel, its timeout, a crash) and may have taken effect: it
   * runs once more under its key before the compensations (`settleInDoubtStep`), so that what it did is undone too.
   */
  inDoubt?: boolean;
}

/** Where a run resumed from its journal stands: what the interrupted execution already did. */
export interface ResumePoint {
  /** The first unfinished step, by index. */
  stepIndex: number;
  /** The attempt that step continues with: the interrupted attempt runs again, under the same key. */
  nextAttempt: number;
  /** True when the journal shows that step running: it was interrupted mid-call, and may have taken effect. */
  running: boolean;
  /** True when the journal shows the run already compensating: the run goes on undoing, not forward. */
  compensating: boolean;
  /** Steps whose compensation already completed, by index. */
  compensated: ReadonlySet<number>;
  /** Steps whose compensation already failed for good, by index. */
  compensationFailed: ReadonlyMap<number, SerializedError>;
  /** The attempt an interrupted compensation continues with, by index. */
  compensationAttempts: readonly number[];
}

/** Each completed step's result and the shared data right after it, by index. */
export interface ReachedSteps {
  readonly results: unknown[];
  readonly dataAfter: Record<string, unknown>[];
  /**
   * External steps that also wrote through the workflow transaction, by index: the rollback took those writes,
   * so a later try runs them again (under the same idempotency key) instead of reusing their results.
   */
  readonly wroteInTransaction: Set<number>;
}

/**
 * What a transactional run keeps to try its transaction again after it failed for a reason that can pass (a lost
 * connection, a busy database) or, past a pivot, to drive it forward: what the external steps returned, so that
 * they are not executed a second time.
 */
export interface ReplayLog {
  readonly initialData: Record<string, unknown>;
  /** `ctx.data` after each completed step of the try under way, by index. */
  readonly dataAfter: Record<string, unknown>[];
  /** The external steps of the try under way that wrote through its transaction, by index. */
  readonly wroteInTransaction: Set<number>;
  /**
   * The furthest any earlier try got. Its external steps' effects stand whatever became of the transaction: a
   * later try reuses their results, and a run that gives up compensates them even where its last try, cut short
   * again, did not get as far.
   */
  readonly reached: ReachedSteps;
}

/** Everything one execution carries between its phases; never shared between runs. */
export interface RunState {
  readonly ctx: RunContext;
  readonly steps: readonly Step<AnyStepContext, unknown>[];
  readonly options: Readonly<WorkflowOptions>;
  /** Results of the completed steps, by position; its length is how far the run got. */
  readonly results: unknown[];
  readonly store: RunJournal | undefined;
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
  /** Set when a failed step is tried again to drive the run forward: the attempt it goes on with. */
  retryFrom: { index: number; attempt: number } | undefined;
  /** Present while a journaled run executes here: what a cancel or a shutdown aborts. */
  signals: RunSignals | undefined;
  /** A cancel the journal already holds for a resumed run: honoured as soon as it executes. */
  journaledCancel: RunControlRequest | undefined;
}

/** Positional on purpose: this runs once per run, and an options object would be one more allocation. */
export function newRunState(
  ctx: RunContext,
  steps: readonly Step<AnyStepContext, unknown>[],
  options: Readonly<WorkflowOptions>,
  journal: JournalWriter | undefined,
  checkpoints: boolean,
  logger: Logger,
  idempotencyKey: string | undefined,
): RunState {
  return {
    ctx,
    steps,
    options,
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
    retryFrom: undefined,
    signals: undefined,
    journaledCancel: undefined,
  };
}

/** The replay log of a transactional run about to make its first try, or (resumed) a try after `reached`. */
export function newReplayLog(initialData: Record<string, unknown>, reached?: ReachedSteps): ReplayLog {
  return {
    initialData,
    dataAfter: [],
    wroteInTransaction: new Set(),
    reached: reached ?? { results: [], dataAfter: [], wroteInTransaction: new Set() },
  };
}
