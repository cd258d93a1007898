import { GraphQLError } from "graphql";
import type { YogaLogger } from "graphql-yoga";
import type { Logger } from "pino";

/**
 * Routes yoga's own log calls into pino. Yoga reports an error it masks for the client with `logger.error(error)`,
 * where `error` is usually a GraphQLError wrapping what the resolver threw: log the original, with its stack and
 * the field path, because that is what a person debugging needs.
 */
export function yogaLogger(logger: Logger): YogaLogger {
  return {
    debug: (...args: unknown[]) => logger.debug(describe(args), messageOf(args, "yoga")),
    info: (...args: unknown[]) => logger.info(describe(args), messageOf(args, "yoga")),
    warn: (...args: unknown[]) => logger.warn(describe(args), messageOf(args, "yoga")),
    error: (...args: unknown[]) => {
      const error = args.find((arg) => arg instanceof Error);
      if (!error) return logger.error(describe(args), messageOf(args, "yoga error"));
      const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
      const path = error instanceof GraphQLError && error.path ? error.path.join(".") : undefined;
      logger.error({ err: original, path }, "unexpected error (masked for the client)");
    },
  };
}

function describe(args: unknown[]): object {
  const details = args.filter((arg) => typeof arg !== "string");
  return details.length === 0 ? {} : { details };
}

function messageOf(args: unknown[], fallback: string): string {
  const strings = args.filter((arg): arg is string => typeof arg === "string");
  return strings.length > 0 ? strings.join(" ") : fallback;
}
