import type { Driver } from "./driver.ts";
import { NEVER_ABORTED } from "../execution/retry.ts";
import { ServiceRegistry, type ServiceMap, type Services } from "./services.ts";

export type DataMap = Record<string, unknown>;

/** Makes `data` hold exactly `next`, in place: steps and compensations keep the same object. */
export function replaceData(data: DataMap, next: Readonly<DataMap>): void {
  for (const key of Object.keys(data)) delete data[key];
  Object.assign(data, next);
}

/**
 * What a step receives. `Input` comes from the action's `.input()`, `Resource` from its entity's fields,
 * `Data` from the workflow's declared shared data (`withData`, `ctx.set`).
 */
export interface StepContext<Input = unknown, Resource = unknown, Data extends DataMap = DataMap> {
  readonly input: Input;
  /** The entity row the action runs on, as loaded before the run; `undefined` for entity-less workflows. */
  readonly resource: Resource;
  readonly resourceId: string | undefined;
  /** Bound to the workflow transaction when the workflow is transactional. */
  readonly driver: Driver;
  readonly runId: string;
  readonly workflow: string;
  /** The step now running or compensating. */
  readonly stepName: string;
  /** Attempt number of the running step, from 1. */
  readonly attempt: number;
  /** `runId:stepName`: the same across retries and recovery, for external APIs that deduplicate by key. */
  readonly idempotencyKey: string;
  /**
   * Aborts when this attempt must stop: its `timeout` fired (StepTimeoutError), its run was cancelled
   * (RunCancelledError; steps only, never compensations) or its process shuts down (RunShutdownError). Pass it to
   * `fetch` and to every provider call that takes one, or check it between pieces of work: an aborted attempt's
   * result is thrown away, and `set` throws the reason. An external step cut off this way may still have taken
   * effect: before compensating, the run calls it once more under the same `idempotencyKey`, so every call with
   * an effect must send that key.
   */
  readonly signal: AbortSignal;
  /** True while compensating a transactional run whose database writes the rollback already undid. */
  readonly rolledBack: boolean;
  resolve<K extends keyof Services>(name: K): Services[K];
  resolve<T = unknown>(name: string): T;
  /** Stores a value for later steps (and for their compensations). */
  set<K extends keyof Data & string>(key: K, value: Data[K]): void;
  get<K extends keyof Data & string>(key: K): Data[K] | undefined;
}

/**
 * One context per run, mutated as the run moves from step to step: steps run one at a time, and a single
 * object keeps the engine's per-step cost to a few field writes.
 */
export class RunContext implements StepContext<unknown, unknown, DataMap> {
  stepName = "";
  attempt = 1;
  rolledBack = false;

  constructor(
    readonly runId: string,
    readonly workflow: string,
    public driver: Driver,
    readonly input: unknown,
    readonly resource: unknown,
    readonly resourceId: string | undefined,
    readonly data: DataMap,
    // A map until the first `resolve`, which turns it into a registry: many runs never resolve anything.
    private services: ServiceRegistry | ServiceMap | undefined,
  ) {}

  /**
   * A getter rather than a field: most runs never see another signal, and one field less is one store less per
   * run. An abortable attempt's context (`forAttempt`) has its own.
   */
  get signal(): AbortSignal {
    return NEVER_ABORTED;
  }

  get idempotencyKey(): string {
    return `${this.runId}:${this.stepName}`;
  }

  resolve<T = unknown>(name: string): T {
    if (!(this.services instanceof ServiceRegistry)) this.services = ServiceRegistry.from(this.services);
    return this.services.resolve(name) as T;
  }

  /**
   * The context one abortable attempt sees: the run's context with the attempt's signal, step name and attempt
   * number pinned, so that an attempt left running after its timeout still sees its own — not the next
   * attempt's — and its late `set` calls are refused. Shares the run's data and driver through the prototype.
   */
  forAttempt(signal: AbortSignal): RunContext {
    if (signal === NEVER_ABORTED) return this;
    return Object.create(this, {
      signal: { value: signal },
      stepName: { value: this.stepName },
      attempt: { value: this.attempt },
    }) as RunContext;
  }

  set(key: string, value: unknown): void {
    // An aborted attempt's writes would reach the next step's data unseen: it is stopped instead.
    if (this.signal.aborted) throw this.signal.reason;
    this.data[key] = value;
  }

  get(key: string): unknown {
    return this.data[key];
  }
}
