import { reviveError, type SerializedError } from "../engine/errors.ts";
import { isTransientDatabaseError } from "../engine/execution/transient-error.ts";

/** What a client is shown of an error: a message for people and a stable code for programs. */
export interface PublicError {
  message: string;
  code: string | null;
}

/**
 * Errors of the database, its driver, the connection or the journal: their text names tables, SQL, hosts and
 * driver internals, which is for the server's log, not for a client. Matched by name and code, since the
 * journal keeps no classes: Prisma's errors and its P codes, SQLSTATE codes, SQLite's, the socket's, and the
 * engine's own database errors.
 */
const INFRASTRUCTURE_NAMES =
  /^(PrismaClient\w*Error|DriverAdapterError|DatabaseError|SqliteError|DatabaseUnavailableError|TransactionCommitError|JournalWriteError|DriverError|RecordNotFoundError|UniqueConstraintError|InvalidDataError|UnknownEntityError)$/;
const INFRASTRUCTURE_CODES =
  /^(P\d{4}|\d[0-9A-Z]{4}|SQLITE_\w+|ECONNRESET|ECONNREFUSED|ECONNABORTED|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH)$/;

/** A plain sentence for each stable code clients get; any other infrastructure error is DATABASE_ERROR. */
const PLAIN: Record<string, string> = {
  DATABASE_UNAVAILABLE: "the database stayed unavailable longer than the run waits",
  TRANSACTION_COMMIT_FAILED: "the database could not commit the run's transaction",
  JOURNAL_WRITE_FAILED: "the run journal could not be written",
  INVALID_DATA: "a value does not fit the database (too long, out of range or of the wrong type)",
  UNIQUE_CONSTRAINT: "a value that must be unique is already taken",
  RECORD_NOT_FOUND: "a row the step needed does not exist",
  UNKNOWN_ENTITY: "the step named an entity the database does not have",
  DATABASE_ERROR: "a database or connection error",
};

export function isInfrastructureError(error: SerializedError): boolean {
  if (INFRASTRUCTURE_NAMES.test(error.name)) return true;
  if (error.code !== undefined && (INFRASTRUCTURE_CODES.test(error.code) || error.code in PLAIN)) return true;
  return isTransientDatabaseError(reviveError(error));
}

/**
 * How a client sees a run's error: its own text and code when a step threw it (a declined card says so), or a
 * stable code with a plain sentence when it came from the infrastructure. The journal and the log keep the detail.
 */
export function publicError(error: SerializedError, failedStep: string | null): PublicError {
  if (!isInfrastructureError(error)) return { message: error.message, code: error.code ?? null };
  const code = error.code !== undefined && error.code in PLAIN ? error.code : "DATABASE_ERROR";
  const where = failedStep === null ? "The run failed" : `Step "${failedStep}" failed`;
  return { message: `${where}: ${PLAIN[code]}; the details are in the server's log`, code };
}
