import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

/** What the server knows about the request being handled, wherever in its async call chain the code runs. */
export interface RequestScope {
  /** Echoed as `x-request-id` and added to every log line written while handling the request. */
  readonly id: string;
  /** The GraphQL operation name, once the request has been parsed. */
  operationName?: string;
}

const storage = new AsyncLocalStorage<RequestScope>();

/**
 * An async-local scope rather than a child logger passed around: the saga engine, Prisma callbacks and yoga's
 * own error logging all run inside the request's async chain, so they pick up the request id for free.
 */
export function runInRequestScope<T>(scope: RequestScope, fn: () => T): T {
  return storage.run(scope, fn);
}

export function currentRequestScope(): RequestScope | undefined {
  return storage.getStore();
}

/** A caller's (or proxy's) id is kept when it looks like one, so a request can be traced across services. */
const ACCEPTABLE_ID = /^[\w.:-]{1,128}$/;

export function requestIdFrom(headers: IncomingHttpHeaders): string {
  const given = headers["x-request-id"];
  return typeof given === "string" && ACCEPTABLE_ID.test(given) ? given : randomUUID();
}
