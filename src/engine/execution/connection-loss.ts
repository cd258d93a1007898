/**
 * Whether an error means the database connection went away (server restart, `pg_terminate_backend`, network)
 * rather than that the statement was refused. Matched on the error and its causes by code and message, as the
 * engine knows no driver: PostgreSQL's SQLSTATE classes 08 (connection exception) and 57P (operator
 * intervention), Prisma's P1001/P1017, and Node's socket errors.
 */
export function isConnectionLoss(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    if (looksLikeConnectionLoss(current)) return true;
    current =
      (current as { cause?: unknown }).cause ??
      (current as { meta?: { driverAdapterError?: unknown } }).meta?.driverAdapterError;
  }
  return false;
}

const CODES = /^(08\d{3}|57P0[1-3]|P1001|P1017|ECONNRESET|ECONNREFUSED|EPIPE)$/;
const MESSAGES =
  /terminating connection|connection terminated|server has closed the connection|can't reach database server|ECONNRESET|connection (?:was )?closed|client has encountered a connection error/i;

function looksLikeConnectionLoss(error: unknown): boolean {
  if (typeof error !== "object") return false;
  const { code, originalCode, message } = error as { code?: unknown; originalCode?: unknown; message?: unknown };
  if (typeof code === "string" && CODES.test(code)) return true;
  if (typeof originalCode === "string" && CODES.test(originalCode)) return true;
  return typeof message === "string" && MESSAGES.test(message);
}
