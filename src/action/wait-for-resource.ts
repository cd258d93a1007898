import { setTimeout as sleep } from "node:timers/promises";
import { causeMatching, ResourceHeldError } from "../engine/errors.ts";
import { ResourceBusyError } from "./action-errors.ts";

/** How long an action waits for another run on the same row to end, by default. */
export const DEFAULT_RESOURCE_WAIT_MS = 5_000;

// A run on the same row usually ends within a few commits; polling starts fast and backs off.
const FIRST_POLL_MS = 10;
const MAX_POLL_MS = 200;

export interface ResourceWait {
  entity: string;
  id: string;
  waitMs: number;
}

/**
 * Calls `attempt` until it is not refused for a held resource, or `waitMs` passed; then the caller gets
 * `ResourceBusyError`. A refused attempt started nothing (the store refuses the run's start), so trying again is safe.
 */
export async function waitForResource<T>(wait: ResourceWait, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + wait.waitMs;
  for (let delay = FIRST_POLL_MS; ; delay = Math.min(delay * 2, MAX_POLL_MS)) {
    try {
      return await attempt();
    } catch (error) {
      if (!isResourceHeld(error)) throw error;
      const left = deadline - Date.now();
      if (left <= 0) throw new ResourceBusyError(wait.entity, wait.id);
      await sleep(Math.min(delay, left));
    }
  }
}

/** The store's refusal of a run's start, however deep the engine wrapped it. */
function isResourceHeld(error: unknown): boolean {
  return causeMatching(error, (candidate) => candidate instanceof ResourceHeldError) !== undefined;
}
