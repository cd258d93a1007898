import { pino, type DestinationStream, type Logger, type LevelWithSilent } from "pino";
import { currentRequestScope } from "./request-scope.ts";

export type { Logger } from "pino";

export interface CreateLoggerOptions {
  /** Lowest level written. @default process.env.LOG_LEVEL ?? "info" */
  level?: LevelWithSilent;
  /** Where the JSON lines go. @default stdout, written synchronously so no line is lost when the process exits */
  destination?: DestinationStream;
}

/**
 * A pino logger whose every line written while a request is handled carries that request's `reqId`
 * (and its GraphQL operation name once known).
 */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const level = options.level ?? ((process.env.LOG_LEVEL as LevelWithSilent | undefined) || "info");
  const settings = {
    level,
    base: { service: "sagaql" },
    mixin() {
      const scope = currentRequestScope();
      if (!scope) return {};
      return scope.operationName ? { reqId: scope.id, operation: scope.operationName } : { reqId: scope.id };
    },
  };
  return pino(settings, options.destination ?? pino.destination({ dest: 1, sync: true }));
}
