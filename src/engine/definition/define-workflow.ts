import type { DataMap, StepContext } from "./context.ts";
import type { TransactionOptions } from "./driver.ts";
import { WorkflowDefinitionError } from "../errors.ts";
import { step as makeStep, type AnyStepContext, type Step, type StepOptions } from "./step.ts";
import type { ForwardRecoveryOptions, TransientRetryOptions } from "../execution/wait-policy.ts";

export interface WorkflowOptions {
  /**
   * Runs every `ctx.driver` call of every step in one database transaction, rolled back when a step fails.
   * Completed steps' external effects are still compensated after the rollback. @default false
   */
  useTransaction?: boolean;
  /**
   * Timeouts of that transaction: `maxWait` for it to start, `timeout` for it to finish.
   * @default { timeout: 30000, maxWait: transientRetry.forMs }
   */
  transaction?: TransactionOptions;
  /**
   * How long the run waits out database failures that can pass — a lost connection, a pool or lock wait that
   * timed out, a serialization failure — before it fails: the transaction (or the database step) is tried again
   * with backoff, and an external step that completed is not called again. @default { forMs: 60000 }
   */
  transientRetry?: TransientRetryOptions;
  /**
   * Forward recovery after a pivot. A pivot is a completed step that nothing can undo (one without a
   * compensation, like shipping; see the step option `pivot`). Compensating the steps before it would leave
   * "refunded but shipped", so once a pivot completed, a later failure is retried — the failed step, or the whole
   * transaction with the external steps' results kept — until it succeeds; when the tries run out the run is parked
   * FAILED for a person, with nothing compensated. @default false: a failure compensates, whatever completed
   */
  forwardRecovery?: boolean | ForwardRecoveryOptions;
}

export interface WorkflowDefinition<Ctx = AnyStepContext, Out = unknown> {
  readonly name: string;
  readonly steps: readonly Step<Ctx, unknown>[];
  readonly options: Readonly<WorkflowOptions>;
  /** Copied into `ctx` data at the start of every run. */
  readonly initialData: Readonly<DataMap>;
  /** Phantom: the last step's output, so results are typed. Never set at run time. */
  readonly __output?: Out;
}

/**
 * The initial data of every workflow that declares none: one shared frozen object, so that starting a run can
 * tell "nothing to copy" by identity instead of walking the object's keys (a `for…in` per run costs about a
 * tenth of a 4-step run's engine time).
 */
export const NO_INITIAL_DATA: Readonly<DataMap> = Object.freeze({});

/** Checks a step list once, when the workflow is defined, so a broken definition never reaches a run. */
export function defineWorkflow<Ctx, Out>(
  name: string,
  steps: readonly Step<Ctx, unknown>[],
  options: WorkflowOptions = {},
  initialData: DataMap = {},
): WorkflowDefinition<Ctx, Out> {
  if (typeof name !== "string" || name.trim() === "") {
    throw new WorkflowDefinitionError(`A workflow needs a non-empty string name, got ${JSON.stringify(name)}`);
  }
  assertSteps(name, steps);
  assertForwardRecovery(name, options.forwardRecovery);
  return Object.freeze({
    name,
    steps: Object.freeze([...steps]),
    options: Object.freeze({ ...options }),
    initialData: hasKeys(initialData) ? Object.freeze({ ...initialData }) : NO_INITIAL_DATA,
  });
}

function hasKeys(data: DataMap): boolean {
  for (const _ in data) return true;
  return false;
}

function assertSteps(workflow: string, steps: readonly unknown[]): void {
  if (!Array.isArray(steps) || steps.length === 0) {
    throw new WorkflowDefinitionError(`Workflow "${workflow}" has no steps; give it at least one`);
  }
  const seen = new Set<string>();
  steps.forEach((candidate, index) => {
    if (!isStep(candidate)) {
      throw new WorkflowDefinitionError(
        `Workflow "${workflow}": entry #${index} is not a step (build it with step(name, execute, compensate?))`,
      );
    }
    if (seen.has(candidate.name)) {
      throw new WorkflowDefinitionError(`Workflow "${workflow}": duplicate step name "${candidate.name}"`);
    }
    seen.add(candidate.name);
  });
}

function assertForwardRecovery(workflow: string, forward: WorkflowOptions["forwardRecovery"]): void {
  if (forward === undefined || typeof forward === "boolean") return;
  if (typeof forward !== "object" || forward === null) {
    throw new WorkflowDefinitionError(
      `Workflow "${workflow}": forwardRecovery must be a boolean or an object like { maxAttempts: 10 }`,
    );
  }
  for (const field of ["maxAttempts", "delay", "backoff", "maxDelay"] as const) {
    const value = forward[field];
    if (value !== undefined && !(value >= 0)) {
      throw new WorkflowDefinitionError(
        `Workflow "${workflow}": forwardRecovery.${field} must be a number ≥ 0, got ${String(value)}`,
      );
    }
  }
}

function isStep(value: unknown): value is Step<unknown, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Partial<Step<unknown, unknown>>;
  return typeof candidate.name === "string" && typeof candidate.execute === "function";
}

/**
 * Fluent builder: `workflow("import").step(...).withData({...}).transactional().build()`. Every call returns a
 * new builder, so a partly built workflow can be branched without one branch's steps showing up in another.
 */
export class WorkflowBuilder<Input = unknown, Data extends DataMap = DataMap, Out = undefined> {
  readonly #steps: readonly Step<StepContext<Input, unknown, Data>, unknown>[];
  readonly #options: WorkflowOptions;
  readonly #data: DataMap;

  constructor(
    readonly name: string,
    state: {
      steps: readonly Step<StepContext<Input, unknown, Data>, unknown>[];
      options: WorkflowOptions;
      data: DataMap;
    } = {
      steps: [],
      options: {},
      data: {},
    },
  ) {
    this.#steps = state.steps;
    this.#options = state.options;
    this.#data = state.data;
  }

  step<O>(
    name: string,
    execute: (ctx: StepContext<Input, unknown, Data>) => O | Promise<O>,
    compensate?: ((ctx: StepContext<Input, unknown, Data>, result: Awaited<O>) => unknown) | null,
    options?: StepOptions,
  ): WorkflowBuilder<Input, Data, Awaited<O>> {
    return this.add(makeStep(name, execute, compensate, options));
  }

  /** Appends an already-built step (for example one of the entity steps). */
  add<O>(step: Step<StepContext<Input, unknown, Data>, O>): WorkflowBuilder<Input, Data, O> {
    const steps = [...this.#steps, step as Step<StepContext<Input, unknown, Data>, unknown>];
    return new WorkflowBuilder<Input, Data, O>(this.name, { steps, options: this.#options, data: this.#data });
  }

  /** Initial shared data, readable with `ctx.get` from the first step on. */
  withData<D extends DataMap>(data: D): WorkflowBuilder<Input, Data & D, Out> {
    const state = {
      steps: this.#steps as readonly Step<StepContext<Input, unknown, Data & D>, unknown>[],
      options: this.#options,
      data: { ...this.#data, ...data },
    };
    return new WorkflowBuilder<Input, Data & D, Out>(this.name, state);
  }

  transactional(transaction?: TransactionOptions): WorkflowBuilder<Input, Data, Out> {
    return this.#with({ useTransaction: true, ...(transaction ? { transaction } : {}) });
  }

  /** Once a pivot completed, later failures are retried forward instead of compensated (`forwardRecovery`). */
  forwardRecovery(options: ForwardRecoveryOptions | true = true): WorkflowBuilder<Input, Data, Out> {
    return this.#with({ forwardRecovery: options });
  }

  #with(options: WorkflowOptions): WorkflowBuilder<Input, Data, Out> {
    return new WorkflowBuilder<Input, Data, Out>(this.name, {
      steps: this.#steps,
      options: { ...this.#options, ...options },
      data: this.#data,
    });
  }

  build(): WorkflowDefinition<StepContext<Input, unknown, Data>, Out> {
    return defineWorkflow(this.name, this.#steps, this.#options, this.#data);
  }
}

/**
 * Starts a standalone workflow. Type arguments declare what `ctx.input` and the shared data hold:
 * `workflow<{ url: string }, { rows: number }>("import")`.
 */
export function workflow<Input = unknown, Data extends DataMap = DataMap>(
  name: string,
): WorkflowBuilder<Input, Data, undefined> {
  return new WorkflowBuilder<Input, Data, undefined>(name);
}
