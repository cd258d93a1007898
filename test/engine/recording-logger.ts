import type { Logger } from "../../src/index.ts";

export interface LoggedEntry {
  level: "info" | "warn" | "error";
  details: Record<string, unknown>;
  message: string;
}

/** A `Logger` that keeps what the engine reports, so tests can assert on it instead of on stderr. */
export class RecordingLogger implements Logger {
  readonly entries: LoggedEntry[] = [];

  info(details: object, message: string): void {
    this.entries.push({ level: "info", details: details as Record<string, unknown>, message });
  }

  warn(details: object, message: string): void {
    this.entries.push({ level: "warn", details: details as Record<string, unknown>, message });
  }

  error(details: object, message: string): void {
    this.entries.push({ level: "error", details: details as Record<string, unknown>, message });
  }

  at(level: LoggedEntry["level"]): LoggedEntry[] {
    return this.entries.filter((entry) => entry.level === level);
  }
}
