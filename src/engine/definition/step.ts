import { WorkflowDefinitionError } from "../errors.ts";
import type { StepContext } from "./context.ts";

export interface RetryOptions {
  /** Attempts in all, the first one included. @default 1 */
  maxAttempts: number;
  /** Wait before the second attempt, in ms. @default 0 */
  delay?: number;
  /** Each later wait is the previous one times this. @default 1 */
  backoff?: number;
  /** No wait is longer than this, in ms. @default Infinity */
  maxDelay?: number;
  /**
   * Randomises each wait to spread retries of many runs apart: `true` picks uniformly in [0, wait]
   * ("full jitter"); a number in (0, 1] picks in [wait × (1 − n), wait]. @default false
   */
  jitter?: boolean | number;
  /** Decides whether an error is worth another attempt. `NonRetryableError` is never retried. @default () => true */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
}

/**
 * Where a step's effects live. A `"database"` step writes only through `ctx.driver`: in a transactional
 * workflow the rollback already undoes it, so its compensation is not run a second time.
 */
export type StepEffect = "external" | "database";

export interface StepOptions {
  /** Retry policy for `execute`. @default one attempt */
  retry?: RetryOptions;
  /** Retry policy for `compensate`; compensation is best-effort after the last attempt. @default one attempt */
  compensationRetry?: RetryOptions;
  /** Fails an attempt that runs longer than this, in ms (the attempt may then be retried). @default no limit */
  timeout?: number;
  /** @default "external" */
  effect?: StepEffect;
  /**
   * Whether this step's effect, once done, cannot be undone, so that a workflow with `forwardRecovery` goes
   * forward after it instead of compensating. Say `false` for a step without a compensation that has no effect to
   * undo (a validation). @default true for a step without a compensation — in a workflow transaction, an external one
   */
  pivot?: boolean;
}

/** The shape every step context satisfies; steps declared for a narrower context still fit here. */
export type AnyStepContext = StepContext<unknown, unknown, Record<string, unknown>>;

export interface Step<Ctx = AnyStepContext, Out = unknown> {
  readonly name: string;
  /** Method syntax on purpose: it keeps `Step<SpecificCtx, Out>` assignable to a list of `Step<Ctx, unknown>`. */
  execute(ctx: Ctx): Out | Promise<Out>;
  compensate?(ctx: Ctx, result: Out): unknown;
  readonly options: StepOptions;
}

/** The value a step resolves to. */
export type StepOutput<S> = S extends Step<never, infer Out> ? Awaited<Out> : never;

/**
 * Declares one step: `execute` does the work and returns what `compensate` needs to undo it, should a
 * later step fail. Without `compensate` the step cannot be undone (reported as uncompensated).
 */
export function step<Ctx = AnyStepContext, Out = unknown>(
  name: string,
  execute: (ctx: Ctx) => Out | Promise<Out>,
  compensate?: ((ctx: Ctx, result: Awaited<Out>) => unknown) | null,
  options: StepOptions = {},
): Step<Ctx, Awaited<Out>> {
  assertStepArguments(name, execute, compensate, options);
  const definition: Step<Ctx, Awaited<Out>> = {
    name,
    execute: execute as (ctx: Ctx) => Awaited<Out> | Promise<Awaited<Out>>,
    options: Object.freeze({ ...options }),
  };
  if (compensate) Object.assign(definition, { compensate });
  return Object.freeze(definition);
}

function assertStepArguments(name: unknown, execute: unknown, compensate: unknown, options: StepOptions): void {
  if (typeof name !== "string" || name.trim() === "") {
    throw new WorkflowDefinitionError(`A step needs a non-empty string name, got ${JSON.stringify(name)}`);
  }
  if (typeof execute !== "function") {
    throw new WorkflowDefinitionError(`Step "${name}": execute must be a function, got ${typeof execute}`);
  }
  if (compensate !== undefined && compensate !== null && typeof compensate !== "function") {
    throw new WorkflowDefinitionError(`Step "${name}": compensate must be a function, got ${typeof compensate}`);
  }
  assertRetry(name, "retry", options.retry);
  assertRetry(name, "compensationRetry", options.compensationRetry);
  if (options.timeout !== undefined && !(options.timeout > 0)) {
    throw new WorkflowDefinitionError(`Step "${name}": timeout must be a positive number of ms`);
  }
  if (options.pivot !== undefined && typeof options.pivot !== "boolean") {
    throw new WorkflowDefinitionError(`Step "${name}": pivot must be a boolean, got ${JSON.stringify(options.pivot)}`);
  }
  if (options.effect !== undefined && options.effect !== "external" && options.effect !== "database") {
    throw new WorkflowDefinitionError(
      `Step "${name}": effect must be "external" or "database", got ${JSON.stringify(options.effect)}`,
    );
  }
}

function assertRetry(name: string, key: string, retry: RetryOptions | undefined): void {
  if (retry === undefined) return;
  if (typeof retry !== "object" || retry === null) {
    throw new WorkflowDefinitionError(
      `Step "${name}": ${key} must be an object like { maxAttempts: 3 }, got ${String(retry)}`,
    );
  }
  if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1) {
    throw new WorkflowDefinitionError(
      `Step "${name}": ${key}.maxAttempts must be an integer ≥ 1, got ${retry.maxAttempts}`,
    );
  }
  for (const field of ["delay", "backoff", "maxDelay"] as const) {
    const value = retry[field];
    if (value !== undefined && !(value >= 0)) {
      throw new WorkflowDefinitionError(`Step "${name}": ${key}.${field} must be ≥ 0, got ${value}`);
    }
  }
  const { jitter, shouldRetry } = retry;
  if (
    jitter !== undefined &&
    typeof jitter !== "boolean" &&
    !(typeof jitter === "number" && jitter > 0 && jitter <= 1)
  ) {
    throw new WorkflowDefinitionError(
      `Step "${name}": ${key}.jitter must be a boolean or a number in (0, 1], got ${String(jitter)}`,
    );
  }
  if (shouldRetry !== undefined && typeof shouldRetry !== "function") {
    throw new WorkflowDefinitionError(
      `Step "${name}": ${key}.shouldRetry must be a function, got ${typeof shouldRetry}`,
    );
  }
}
