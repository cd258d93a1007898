import { isConnectionLoss } from "./connection-loss.ts";

/**
 * Whether a database error is one the run can wait out: the connection went away, the pool or the database's
 * single writer could not hand out a connection in time, a lock could not be had, or the database refused a
 * commit to keep transactions serializable. Retrying the same work later can succeed; none of these says the
 * work itself was wrong. Matched on the error and its causes by code and message, as the engine knows no driver:
 * SQLSTATE 40001 (serialization failure), 40P01 (deadlock), 55P03 (lock not available), Prisma's P2028
 * (a transaction that could not start in time, or expired) and P2034 (write conflict), P1008 (timed out),
 * SQLite's BUSY and LOCKED.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  if (isConnectionLoss(error)) return true;
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    if (looksTransient(current)) return true;
    current =
      (current as { cause?: unknown }).cause ??
      (current as { meta?: { driverAdapterError?: unknown } }).meta?.driverAdapterError;
  }
  return false;
}

const CODES = /^(40001|40P01|55P03|P2028|P2034|P1008|SQLITE_BUSY(?:_\w+)?|SQLITE_LOCKED(?:_\w+)?)$/;
const MESSAGES =
  /unable to start a transaction in the given time|transaction already closed|database is locked|could not serialize access|deadlock detected|lock timeout|could not obtain lock/i;

const TRANSIENT_KINDS: ReadonlySet<string> = new Set([
  "ConnectionClosed",
  "DatabaseNotReachable",
  "TooManyConnections",
  "TransactionWriteConflict",
  "SocketTimeout",
  "TransactionAlreadyClosed",
]);

/** SQLITE_BUSY and SQLITE_LOCKED, the primary codes under every extended one. */
const SQLITE_BUSY_OR_LOCKED: ReadonlySet<number> = new Set([5, 6]);

function looksTransient(error: unknown): boolean {
  if (typeof error !== "object") return false;
  const { code, originalCode, kind, extendedCode, message } = error as Record<string, unknown>;
  if (typeof code === "string" && CODES.test(code)) return true;
  if (typeof originalCode === "string" && CODES.test(originalCode)) return true;
  // Prisma's driver adapters describe what went wrong by kind, and SQLite's own codes as numbers.
  if (typeof kind === "string" && TRANSIENT_KINDS.has(kind)) return true;
  if (kind === "sqlite" && typeof extendedCode === "number" && SQLITE_BUSY_OR_LOCKED.has(extendedCode & 0xff))
    return true;
  return typeof message === "string" && MESSAGES.test(message);
}
