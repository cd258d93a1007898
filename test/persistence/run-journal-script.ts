import { expect } from "vitest";
import type { DataMap } from "../../src/engine/definition/context.ts";
import type { SerializedError } from "../../src/engine/errors.ts";
import { InMemoryRunJournal } from "../../src/engine/journal/in-memory-run-journal.ts";
import type { RunEvent } from "../../src/engine/journal/run-events.ts";
import type { RunSnapshot } from "../../src/engine/journal/run-snapshot.ts";
import type { RunJournal } from "../../src/engine/journal/run-journal.ts";

/** A fixed origin, so timestamps (and so list order) are the script's, not the clock's. */
export const T0 = Date.UTC(2026, 0, 1);

export function failure(message: string, extra: Partial<SerializedError> = {}): SerializedError {
  return { name: "Error", message, ...extra };
}

export interface RunScriptOptions {
  workflow?: string;
  input?: unknown;
  data?: DataMap;
  resourceId?: string;
  idempotencyKey?: string;
  resourceKey?: string;
  transactional?: boolean;
  /** Milliseconds after T0 of the run's first event; each later event is 1 ms later. @default 0 */
  startAt?: number;
}

/** Writes a run's events the way the engine emits them, one method per event type. */
export class RunScript {
  readonly events: RunEvent[] = [];
  #clock: number;

  constructor(
    readonly runId: string,
    readonly steps: readonly string[],
    readonly options: RunScriptOptions = {},
  ) {
    this.#clock = T0 + (options.startAt ?? 0);
    const {
      workflow = "checkout",
      input,
      data = {},
      resourceId,
      idempotencyKey,
      resourceKey,
      transactional = false,
    } = options;
    const held = resourceKey === undefined ? {} : { resourceKey };
    this.#push({
      type: "run-started",
      runId,
      workflow,
      steps,
      input,
      data,
      resourceId,
      transactional,
      idempotencyKey,
      ...held,
    });
  }

  stepStarted(index: number, attempt = 1): this {
    return this.#step({ type: "step-started", index, attempt });
  }
  stepRetrying(index: number, attempt: number, error: SerializedError, delayMs = 10): this {
    return this.#step({ type: "step-retrying", index, attempt, error, delayMs });
  }
  stepCompleted(index: number, result: unknown, data: DataMap = {}, attempts = 1): this {
    return this.#step({ type: "step-completed", index, attempts, result, data });
  }
  stepFailed(index: number, error: SerializedError, attempts = 1): this {
    return this.#step({ type: "step-failed", index, attempts, error });
  }
  compensating(failedStep: string | null, error: SerializedError, rolledBack = false): this {
    return this.#push({ type: "run-compensating", runId: this.runId, failedStep, error, rolledBack });
  }
  compensationStarted(index: number, attempt = 1): this {
    return this.#step({ type: "compensation-started", index, attempt });
  }
  compensationCompleted(index: number, byRollback = false): this {
    return this.#step({ type: "compensation-completed", index, byRollback });
  }
  compensationFailed(index: number, error: SerializedError): this {
    return this.#step({ type: "compensation-failed", index, error });
  }
  finished(
    status: "COMPLETED" | "COMPENSATED" | "FAILED",
    outcome: { result?: unknown; error?: SerializedError } = {},
  ): this {
    return this.#push({ type: "run-finished", runId: this.runId, status, ...outcome });
  }

  /** A step that runs once and returns `result`. */
  completes(index: number, result: unknown, data: DataMap = {}): this {
    return this.stepStarted(index).stepCompleted(index, result, data);
  }

  #step(event: { type: string; index: number } & Record<string, unknown>): this {
    return this.#push({ ...event, runId: this.runId, step: this.steps[event.index] ?? `step-${event.index}` });
  }

  #push(event: Record<string, unknown>): this {
    this.events.push({ ...event, at: new Date(this.#clock++) } as RunEvent);
    return this;
  }
}

export async function play(store: RunJournal, ...scripts: RunScript[]): Promise<void> {
  for (const script of scripts) for (const event of script.events) await store.record(event);
}

/** What `applyRunEvent` (through the in-memory journal) makes of the same events: the semantics every store must match. */
export async function reference(script: RunScript): Promise<RunSnapshot> {
  const memory = new InMemoryRunJournal();
  await play(memory, script);
  return (await memory.getRun(script.runId))!;
}

/**
 * Records the script's events from `from` on (earlier ones are already in `store`) one at a time, checking the
 * store's snapshot against the reference after each.
 */
export async function expectReplayMatchesReference(
  store: RunJournal,
  script: RunScript,
  from = 0,
): Promise<RunSnapshot> {
  const memory = new InMemoryRunJournal();
  for (const [position, event] of script.events.entries()) {
    if (position < from) {
      await memory.record(event);
      continue;
    }
    await store.record(event);
    await memory.record(event);
    const expected = await memory.getRun(script.runId);
    expect(await store.getRun(script.runId), `after event #${position} (${event.type})`).toStrictEqual(expected);
  }
  return (await store.getRun(script.runId))!;
}

let counter = 0;
/** Run ids unique across test files sharing a journal or a process. */
export function newRunId(label = "run"): string {
  return `${label}-${process.pid}-${Date.now().toString(36)}-${(counter++).toString(36)}`;
}
