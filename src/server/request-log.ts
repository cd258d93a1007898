import { getOperationAST, type DocumentNode } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { currentRequestScope, type RequestScope } from "./request-scope.ts";

/** One line when a request arrives (debug) and one when its response is done or the client went away (info). */
export function logRequest(
  logger: Logger,
  scope: RequestScope,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  const started = performance.now();
  const path = (request.url ?? "/").split("?")[0];
  logger.debug({ reqId: scope.id, method: request.method, path }, "request received");
  response.once("close", () => {
    const details = {
      reqId: scope.id,
      operation: scope.operationName,
      method: request.method,
      path,
      status: response.statusCode,
      ms: Math.round((performance.now() - started) * 10) / 10,
    };
    if (response.writableFinished) logger.info(details, "request completed");
    else logger.warn(details, "request aborted before its response was sent");
  });
}

/** Puts the GraphQL operation name into the request scope, so every later log line of the request names it. */
export function useOperationName(): Plugin {
  const remember = (document: DocumentNode, operationName: string | null | undefined) => {
    const scope = currentRequestScope();
    const name = getOperationAST(document, operationName)?.name?.value;
    if (scope && name) scope.operationName = name;
  };
  return {
    onExecute: ({ args }) => remember(args.document, args.operationName),
    onSubscribe: ({ args }) => remember(args.document, args.operationName),
  };
}
