import { isTerminalStatus } from "../engine/journal/durable-run-journal.ts";
import { RunFinishedError, RunLeaseLostError } from "../engine/errors.ts";
import type { RunEvent, RunStatus } from "../engine/journal/run-events.ts";

/** The run's columns that decide whether it accepts an event. */
export interface GuardRow {
  status: string;
  owner: string | null;
}

/**
 * Why a store refused an event, from the run's row as read after the refusal. Only on that failure path: the
 * statement that writes an event checks the same conditions itself, so accepting one costs no extra read.
 */
export function refusal(
  event: Exclude<RunEvent, { type: "run-started" }>,
  owner: string,
  row: GuardRow | undefined,
): Error {
  if (!row) return new Error(`Run ${event.runId} was never started in this store`);
  if (isTerminalStatus(row.status as RunStatus)) return new RunFinishedError(event.runId, row.status);
  if (row.owner !== owner) return new RunLeaseLostError(event.runId, owner, row.owner);
  if ("index" in event) return new Error(`Run ${event.runId} has no step #${event.index} (${event.step})`);
  return new Error(`Run ${event.runId} refused a ${event.type} event`);
}
