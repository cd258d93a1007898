import { SagaqlError } from "../engine/errors.ts";

/**
 * A mistake the user can fix: the CLI prints its message alone, one line naming the problem and the fix, and
 * exits 1. The cause is kept for `--verbose`.
 */
export class CliError extends SagaqlError {
  readonly code = "SAGAQL_CLI";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CliError";
  }
}

/** Errors whose message is already the one line to show (the CLI's own, the app's start errors, Prisma's config). */
const ONE_LINE_ERRORS = new Set([
  "CliError",
  "AppStartError",
  "AppConfigError",
  "GeneratedClientError",
  "PrismaConfigMissingError",
]);

export interface ReportOptions {
  /** Print the stack and the cause chain too (`--verbose`, or `DEBUG` set). @default false */
  verbose?: boolean;
  /** @default process.stderr */
  write?: (text: string) => void;
}

/** Prints why a command failed: the one line for a known mistake, the first line of anything else. */
export function reportError(error: unknown, options: ReportOptions = {}): void {
  const write = options.write ?? ((text: string) => void process.stderr.write(text));
  write(`sagaql: ${oneLine(error)}\n`);
  if (options.verbose) {
    for (let current: unknown = error; current !== undefined; current = (current as { cause?: unknown }).cause) {
      write(`${current instanceof Error ? (current.stack ?? current.message) : String(current)}\n`);
      if (!(current instanceof Error)) break;
    }
  } else if (!isKnown(error)) {
    write("sagaql: run again with --verbose for the stack trace\n");
  }
}

function isKnown(error: unknown): boolean {
  return error instanceof Error && ONE_LINE_ERRORS.has(error.name);
}

function oneLine(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (isKnown(error)) return error.message;
  const first = error.message.split("\n").find((line) => line.trim() !== "") ?? error.name;
  return first.trim();
}
