import { isTerminalStatus } from "./durable-run-journal.ts";
import { IdempotencyKeyConflictError, ResourceHeldError, RunFinishedError } from "../errors.ts";
import type { RunEvent } from "./run-events.ts";
import { applyRunEvent, snapshotFromStart, type RunSnapshot } from "./run-snapshot.ts";
import { isVisibleRun, type ListRunsFilter, type RunJournal } from "./run-journal.ts";

/**
 * A journal that lives as long as the process: for tests, scripts and runs that need no durability. Like the SQL
 * stores it never reopens a finished run and keeps one run per workflow and idempotency key; it has no leases
 * (one process, one owner).
 */
export class InMemoryRunJournal implements RunJournal {
  readonly #runs = new Map<string, RunSnapshot>();
  /** Run id by workflow and idempotency key. */
  readonly #keys = new Map<string, string>();
  /** Run id by the resource key it holds, while that run is unfinished; and the key by run id, to release it. */
  readonly #holds = new Map<string, string>();
  readonly #heldBy = new Map<string, string>();

  async record(event: RunEvent): Promise<void> {
    if (event.type === "run-started") return this.#start(event);
    const run = this.#runs.get(event.runId);
    if (!run) throw new Error(`Run ${event.runId} was never started in this store`);
    if (isTerminalStatus(run.status)) throw new RunFinishedError(run.id, run.status);
    applyRunEvent(run, event);
    if (isTerminalStatus(run.status)) this.#release(run.id);
  }

  async findRunHolding(resourceKey: string): Promise<string | null> {
    return this.#holds.get(resourceKey) ?? null;
  }

  /** The run of `workflow` started with `idempotencyKey`, if any. */
  async findRunByIdempotencyKey(workflow: string, idempotencyKey: string): Promise<{ run: RunSnapshot } | null> {
    const runId = this.#keys.get(keyOf(workflow, idempotencyKey));
    const run = runId === undefined ? undefined : this.#runs.get(runId);
    return run ? { run: structuredClone(run) } : null;
  }

  async getRun(runId: string): Promise<RunSnapshot | null> {
    const run = this.#runs.get(runId);
    return run ? structuredClone(run) : null;
  }

  async listRuns(filter: ListRunsFilter = {}): Promise<RunSnapshot[]> {
    const matching = [...this.#runs.values()].filter(
      (run) =>
        (!filter.status || run.status === filter.status) &&
        (!filter.workflow || run.workflow === filter.workflow) &&
        isVisibleRun(run, filter.visible) &&
        createdWithin(run.createdAt, filter),
    );
    matching.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    const skip = filter.skip ?? 0;
    return matching.slice(skip, skip + (filter.take ?? 50)).map((run) => structuredClone(run));
  }

  #start(event: Extract<RunEvent, { type: "run-started" }>): void {
    if (this.#runs.has(event.runId)) throw new Error(`Run ${event.runId} is already journaled`);
    const holder = event.resourceKey === undefined ? undefined : this.#holds.get(event.resourceKey);
    if (holder !== undefined) throw new ResourceHeldError(event.resourceKey!, holder);
    if (event.idempotencyKey !== undefined) {
      const key = keyOf(event.workflow, event.idempotencyKey);
      const existing = this.#keys.get(key);
      if (existing !== undefined) throw new IdempotencyKeyConflictError(event.workflow, event.idempotencyKey, existing);
      this.#keys.set(key, event.runId);
    }
    if (event.resourceKey !== undefined) {
      this.#holds.set(event.resourceKey, event.runId);
      this.#heldBy.set(event.runId, event.resourceKey);
    }
    this.#runs.set(event.runId, snapshotFromStart(event));
  }

  #release(runId: string): void {
    const key = this.#heldBy.get(runId);
    if (key === undefined) return;
    this.#heldBy.delete(runId);
    this.#holds.delete(key);
  }
}

// JSON keeps the pair unambiguous whatever characters the workflow name or the key hold.
function keyOf(workflow: string, idempotencyKey: string): string {
  return JSON.stringify([workflow, idempotencyKey]);
}

function createdWithin(createdAt: Date, filter: ListRunsFilter): boolean {
  const at = createdAt.getTime();
  return (
    (!filter.createdAfter || at >= filter.createdAfter.getTime()) &&
    (!filter.createdBefore || at < filter.createdBefore.getTime())
  );
}
