import type { CrashPoint } from "./crash-point.ts";

/** A run's journal writes in order, each as its events' labels (`type` or `type:step`), from "journal write" logs. */
export type JournalTrace = readonly (readonly string[])[];

/** The first write of the trace that carries the point's event: where a crash at that point happens. */
export function writeOfPoint(trace: JournalTrace, point: CrashPoint): readonly string[] | undefined {
  const label = point.step ? `${point.event}:${point.step}` : point.event;
  return trace.find((write) =>
    write.some((event) => event === label || (!point.step && event.startsWith(`${point.event}:`))),
  );
}
