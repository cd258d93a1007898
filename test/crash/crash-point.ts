import type { RunEvent, RunEventType } from "../../src/engine/journal/run-events.ts";

/** A place in a run's journal where a crash-test server kills itself: right before or right after a write. */
export interface CrashPoint {
  when: "before" | "after";
  /** The write that carries this event (alone, or batched with others). */
  event: RunEventType;
  /** Only this step's event; any step when absent. */
  step?: string;
}

const WHEN = new Set(["before", "after"]);
const EVENT_TYPES: ReadonlySet<string> = new Set<RunEventType>([
  "run-started",
  "step-started",
  "step-retrying",
  "step-completed",
  "step-failed",
  "run-compensating",
  "compensation-started",
  "compensation-completed",
  "compensation-failed",
  "run-cancel-requested",
  "run-finished",
]);

/** `before:run-started`, `after:step-started:charge-payment`: the form of `SAGAQL_CRASH_AT` and of crash keys. */
export function formatCrashPoint(point: CrashPoint): string {
  return [point.when, point.event, ...(point.step ? [point.step] : [])].join(":");
}

export function parseCrashPoint(text: string): CrashPoint {
  const [when, event, step, ...rest] = text.split(":");
  if (!when || !WHEN.has(when) || !event || !EVENT_TYPES.has(event) || rest.length > 0 || step === "") {
    throw new Error(`A crash point is "<before|after>:<event type>[:<step>]", got "${text}"`);
  }
  return { when: when as CrashPoint["when"], event: event as RunEventType, ...(step ? { step } : {}) };
}

export function crashPointMatches(point: CrashPoint, event: RunEvent): boolean {
  if (event.type !== point.event) return false;
  return point.step === undefined || ("step" in event && event.step === point.step);
}

/**
 * Idempotency keys that arm a crash for their own run only: `crash:<point>:<nonce>`. One server process then
 * serves many crash scenarios in turn (each one costs a process death, not a process start and a death).
 */
export function crashKey(point: CrashPoint, nonce: string): string {
  return `crash:${formatCrashPoint(point)}:${nonce}`;
}

export function crashPointOfKey(key: string | undefined): CrashPoint | undefined {
  if (!key?.startsWith("crash:")) return undefined;
  const parts = key.slice("crash:".length).split(":");
  return parseCrashPoint(parts.slice(0, -1).join(":"));
}
