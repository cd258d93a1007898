import { isTerminalStatus } from "./durable-run-store.ts";
import { RunFinishedError } from "./errors.ts";
import type { RunEvent } from "./run-events.ts";
import { applyRunEvent, snapshotFromStart, type RunSnapshot } from "./run-snapshot.ts";
import type { ListRunsFilter, RunStore } from "./run-store.ts";

/**
 * A journal that lives as long as the process: for tests, scripts and runs that need no durability. Like the SQL
 * stores it never reopens a finished run; it has no leases (one process, one owner).
 */
export class InMemoryRunStore implements RunStore {
  readonly #runs = new Map<string, RunSnapshot>();

  async record(event: RunEvent): Promise<void> {
    if (event.type === "run-started") {
      if (this.#runs.has(event.runId)) throw new Error(`Run ${event.runId} is already journaled`);
      this.#runs.set(event.runId, snapshotFromStart(event));
      return;
    }
    const run = this.#runs.get(event.runId);
    if (!run) throw new Error(`Run ${event.runId} was never started in this store`);
    if (isTerminalStatus(run.status)) throw new RunFinishedError(run.id, run.status);
    applyRunEvent(run, event);
  }

  async getRun(runId: string): Promise<RunSnapshot | null> {
    const run = this.#runs.get(runId);
    return run ? structuredClone(run) : null;
  }

  async listRuns(filter: ListRunsFilter = {}): Promise<RunSnapshot[]> {
    const matching = [...this.#runs.values()].filter(
      (run) => (!filter.status || run.status === filter.status) && (!filter.workflow || run.workflow === filter.workflow),
    );
    matching.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    return matching.slice(0, filter.take ?? 50).map((run) => structuredClone(run));
  }
}
