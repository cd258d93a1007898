import { RunContext, type DataMap } from "./context.ts";
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
  failure: StepFailure | undefined;
}

export function newRunState(init: {
  runId: string;
  workflow: string;
  driver: Driver;
  input: unknown;
  resource: unknown;
  resourceId: string | undefined;
  data: DataMap;
  services: ConstructorParameters<typeof RunContext>[7];
  steps: readonly Step<AnyStepContext, unknown>[];
  store: RunStore | undefined;
  logger: Logger;
}): RunState {
  const ctx = new RunContext(init.runId, init.workflow, init.driver, init.input, init.resource, init.resourceId, init.data, init.services);
  return { ctx, steps: init.steps, results: [], store: init.store, logger: init.logger, baseDriver: init.driver, failure: undefined };
}
