import type { DataMap, StepContext } from "./context.ts";
import type { TransactionOptions } from "./driver.ts";
import { WorkflowDefinitionError } from "./errors.ts";
import { step as makeStep, type AnyStepContext, type Step, type StepOptions } from "./step.ts";

export interface WorkflowOptions {
  /**
   * Runs every `ctx.driver` call of every step in one database transaction, rolled back when a step fails.
   * Completed steps' external effects are still compensated after the rollback. @default false
   */
  useTransaction?: boolean;
  /** Timeouts of that transaction. @default { timeout: 30000, maxWait: 10000 } */
  transaction?: TransactionOptions;
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
  return Object.freeze({
    name,
    steps: Object.freeze([...steps]),
    options: Object.freeze({ ...options }),
    initialData: Object.freeze({ ...initialData }),
  });
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
    state: { steps: readonly Step<StepContext<Input, unknown, Data>, unknown>[]; options: WorkflowOptions; data: DataMap } = {
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
    const state = { steps: this.#steps as readonly Step<StepContext<Input, unknown, Data & D>, unknown>[], options: this.#options, data: { ...this.#data, ...data } };
    return new WorkflowBuilder<Input, Data & D, Out>(this.name, state);
  }

  transactional(transaction?: TransactionOptions): WorkflowBuilder<Input, Data, Out> {
    const options = { ...this.#options, useTransaction: true, ...(transaction ? { transaction } : {}) };
    return new WorkflowBuilder<Input, Data, Out>(this.name, { steps: this.#steps, options, data: this.#data });
  }

  build(): WorkflowDefinition<StepContext<Input, unknown, Data>, Out> {
    return defineWorkflow(this.name, this.#steps, this.#options, this.#data);
  }
}

/**
 * Starts a standalone workflow. Type arguments declare what `ctx.input` and the shared data hold:
 * `workflow<{ url: string }, { rows: number }>("import")`.
 */
export function workflow<Input = unknown, Data extends DataMap = DataMap>(name: string): WorkflowBuilder<Input, Data, undefined> {
  return new WorkflowBuilder<Input, Data, undefined>(name);
}
