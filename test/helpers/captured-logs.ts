import type { DestinationStream } from "pino";

export interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  [key: string]: unknown;
}

/** A pino destination that keeps every line, parsed, for assertions. */
export class CapturedLogs implements DestinationStream {
  readonly lines: LogLine[] = [];

  write(line: string): void {
    this.lines.push(JSON.parse(line) as LogLine);
  }

  find(predicate: (line: LogLine) => boolean): LogLine | undefined {
    return this.lines.find(predicate);
  }

  withMessage(msg: string): LogLine[] {
    return this.lines.filter((line) => line.msg === msg);
  }
}
