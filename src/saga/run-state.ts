import type { RunContext } from "./context.ts";
import type { Driver } from "./driver.ts";
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

/** Everything one execution carries between its phases; never shared between runs. */
export interface RunState {
  readonly ctx: RunContext;
  readonly steps: readonly Step<AnyStepContext, unknown>[];
  /** Results of the completed steps, by position; its length is how far the run got. */
  readonly results: unknown[];
  readonly store: RunStore | undefined;
  readonly logger: Logger;
  readonly baseDriver: Driver;
  /** The caller's key for the whole run (not a step's `ctx.idempotencyKey`). */
  readonly idempotencyKey: string | undefined;
  failure: StepFailure | undefined;
}

/** Positional on purpose: this runs once per run, and an options object would be one more allocation. */
export function newRunState(
  ctx: RunContext,
  steps: readonly Step<AnyStepContext, unknown>[],
  store: RunStore | undefined,
  logger: Logger,
  idempotencyKey: string | undefined,
): RunState {
  return { ctx, steps, results: [], store, logger, baseDriver: ctx.driver, idempotencyKey, failure: undefined };
}
