/**
 * Errors the engine raises or understands. Each carries a stable string `code`, because a journaled error
 * comes back from the database as plain data and `instanceof` no longer works on it.
 */

/**
 * The root of every error sagaql raises, in every layer: catch it to tell the framework's errors from anything
 * else, and branch on `code`, which stays the same across versions and survives the journal's round trip.
 */
export abstract class SagaqlError extends Error {
  abstract readonly code: string;
}

/** Throw it from a step to fail at once, whatever the step's retry policy says (a declined card, bad input). */
export class NonRetryableError extends SagaqlError {
  readonly code: string = "NON_RETRYABLE";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "NonRetryableError";
  }
}

/** A workflow or step definition that cannot run; raised when the definition is built, not when it runs. */
export class WorkflowDefinitionError extends SagaqlError {
  readonly code = "WORKFLOW_DEFINITION";
  constructor(message: string) {
    super(message);
    this.name = "WorkflowDefinitionError";
  }
}

/** `ctx.resolve(name)` found no service registered under that name. */
export class ServiceNotFoundError extends SagaqlError {
  readonly code = "SERVICE_NOT_FOUND";
  constructor(
    readonly serviceName: string,
    registered: readonly string[],
  ) {
    const known =
      registered.length > 0 ? `registered services: ${registered.join(", ")}` : "no services are registered";
    super(`Service "${serviceName}" is not registered (${known}). Pass it in the "services" option.`);
    this.name = "ServiceNotFoundError";
  }
}

/** A step ran longer than its `timeout` option allows. */
export class StepTimeoutError extends SagaqlError {
  readonly code = "STEP_TIMEOUT";
  constructor(
    readonly stepName: string,
    readonly timeoutMs: number,
  ) {
    super(`Step "${stepName}" timed out after ${timeoutMs} ms`);
    this.name = "StepTimeoutError";
  }
}

/** The workflow transaction could not commit after every step succeeded, so its database writes are gone. */
export class TransactionCommitError extends SagaqlError {
  readonly code = "TRANSACTION_COMMIT_FAILED";
  constructor(cause: unknown) {
    super(`The workflow transaction failed to commit: ${errorMessage(cause)}`, { cause });
    this.name = "TransactionCommitError";
  }
}

/**
 * The database stayed unavailable — lost connections, a pool or lock that could not be had, refused commits — for
 * longer than the workflow waits such failures out (`transientRetry.forMs`). Nothing about the work was wrong:
 * when the run left no effect, the same request can simply be sent again later.
 */
export class DatabaseUnavailableError extends NonRetryableError {
  // Non-retryable: the wait is already spent; a step's retry policy must not spend it again.
  override readonly code = "DATABASE_UNAVAILABLE";
  declare readonly cause: unknown;
  constructor(
    readonly waitedMs: number,
    cause: unknown,
  ) {
    super(`The database stayed unavailable for ${Math.round(waitedMs / 100) / 10} s; nothing was done`, { cause });
    this.name = "DatabaseUnavailableError";
  }
}

/**
 * A run past its pivot could not be driven forward within its `forwardRecovery` tries. It is parked FAILED, with
 * nothing compensated: undoing the steps before the pivot could not undo the pivot. A person must finish it.
 */
export class ForwardRecoveryExhaustedError extends SagaqlError {
  readonly code = "FORWARD_RECOVERY_EXHAUSTED";
  constructor(
    readonly stepName: string | null,
    readonly tries: number,
    cause: unknown,
  ) {
    const where = stepName === null ? "its transaction" : `step "${stepName}"`;
    super(
      `The run got past a step that cannot be undone, then ${where} kept failing (${tries} tries): ${errorMessage(cause)}`,
      { cause },
    );
    this.name = "ForwardRecoveryExhaustedError";
  }
}

/**
 * `record(run-started)` used an idempotency key that another run of the same workflow already has: a duplicate
 * request lost the race. Look the winner up with `findRunByIdempotencyKey`.
 */
export class IdempotencyKeyConflictError extends SagaqlError {
  readonly code = "IDEMPOTENCY_KEY_CONFLICT";
  constructor(
    readonly workflow: string,
    readonly idempotencyKey: string,
    readonly runId: string,
  ) {
    super(`Workflow "${workflow}" already has a run with idempotency key "${idempotencyKey}"`);
    this.name = "IdempotencyKeyConflictError";
  }
}

/** The journal refused an event because the run already ended: a terminal run is never reopened. */
/**
 * A run could not start: another unfinished run holds the same resource. Refused before anything ran, so the
 * caller may wait and start it again.
 */
export class ResourceHeldError extends SagaqlError {
  readonly code = "RESOURCE_HELD";
  constructor(
    readonly resourceKey: string,
    readonly holderRunId: string | null,
  ) {
    super(
      `Resource ${resourceKey} is held by ${holderRunId === null ? "another run" : `run ${holderRunId}`} until it ends`,
    );
    this.name = "ResourceHeldError";
  }
}

export class RunFinishedError extends SagaqlError {
  readonly code = "RUN_FINISHED";
  constructor(
    readonly runId: string,
    readonly status: string,
  ) {
    super(`Run ${runId} already ended ${status}; its journal is closed to further events`);
    this.name = "RunFinishedError";
  }
}

/**
 * The journal refused an event from an instance that no longer owns the run: its lease expired and another
 * instance took the run over (or it was released). This instance must stop working on the run.
 */
export class RunLeaseLostError extends SagaqlError {
  readonly code = "RUN_LEASE_LOST";
  constructor(
    readonly runId: string,
    readonly owner: string,
    readonly currentOwner: string | null,
  ) {
    super(
      `Run ${runId} is no longer owned by ${owner} (now ${currentOwner ?? "nobody"}): another instance took it over`,
    );
    this.name = "RunLeaseLostError";
  }
}

/**
 * With a run journal, a step's result and the `ctx.set` data must survive a round trip through the journal (JSON):
 * a resumed run has to see exactly what the interrupted one saw. Never retried: the same code returns the same kind of value.
 */
export class NotJournalableError extends NonRetryableError {
  override readonly code = "NOT_JOURNALABLE";
  constructor(
    readonly stepName: string,
    what: string,
    problem: string,
  ) {
    super(
      `Step "${stepName}" ${what} the run journal cannot store: ${problem}. With a run journal, step results and ctx.set values ` +
        "must be JSON-serialisable: plain objects, arrays, strings, finite numbers, booleans, null and Dates.",
    );
    this.name = "NotJournalableError";
  }
}

/** A transactional run whose process stopped inside its transaction: the database rolled its writes back. */
export class RunInterruptedError extends SagaqlError {
  readonly code = "RUN_INTERRUPTED";
  constructor(readonly stepName: string | null) {
    const where = stepName === null ? "between steps" : `during step "${stepName}"`;
    super(`The run was interrupted ${where} inside its workflow transaction, which the database rolled back`);
    this.name = "RunInterruptedError";
  }
}

/** The definition a run is resumed with has other steps than the journaled run: resuming it would misplace results. */
export class WorkflowDefinitionChangedError extends SagaqlError {
  readonly code = "WORKFLOW_DEFINITION_CHANGED";
  constructor(
    readonly runId: string,
    readonly workflow: string,
    journaled: readonly string[],
    defined: readonly string[],
  ) {
    super(
      `Run ${runId} of "${workflow}" was journaled with steps [${journaled.join(", ")}] but the workflow now has ` +
        `[${defined.join(", ")}]; it is not resumed (parked FAILED for a person to look at)`,
    );
    this.name = "WorkflowDefinitionChangedError";
  }
}

/** An error as the journal stores it and clients receive it: plain, JSON-safe data. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  cause?: SerializedError;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "string") return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/**
 * The first error in `error`'s `cause` chain (itself included) that `matches`: the engine wraps a store's refusal in
 * its own errors (a journal write error, a step failure), so the refusal a caller looks for may sit a level or two
 * down. Depth-limited, so a cyclic chain cannot hang it.
 */
export function causeMatching<T extends Error>(
  error: unknown,
  matches: (candidate: Error) => candidate is T,
): T | undefined;
export function causeMatching(error: unknown, matches: (candidate: Error) => boolean): Error | undefined;
export function causeMatching(error: unknown, matches: (candidate: Error) => boolean): Error | undefined {
  for (let depth = 0; depth < 5 && error instanceof Error; depth++, error = error.cause) {
    if (matches(error)) return error;
  }
  return undefined;
}

export function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null || !("code" in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

/** Depth-limited so a cyclic `cause` chain cannot hang serialisation. */
export function serializeError(error: unknown, depth = 0): SerializedError {
  const serialized: SerializedError = {
    name: error instanceof Error ? error.name : typeof error,
    message: errorMessage(error),
  };
  const code = errorCode(error);
  if (code !== undefined) serialized.code = code;
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause !== undefined && depth < 5) serialized.cause = serializeError(cause, depth + 1);
  return serialized;
}

/** Turns a journaled error back into an Error that `serializeError` maps to the same data. */
export function reviveError(serialized: SerializedError | null | undefined): Error {
  if (!serialized) return new Error("unknown error");
  const error = new Error(serialized.message, serialized.cause ? { cause: reviveError(serialized.cause) } : undefined);
  error.name = serialized.name;
  if (serialized.code !== undefined) Object.assign(error, { code: serialized.code });
  return error;
}

/**
 * A person (or a program) cancelled the run: the step under way was aborted and the completed steps are undone.
 * Non-retryable: a cancelled step is not tried again.
 */
export class RunCancelledError extends NonRetryableError {
  override readonly code = "RUN_CANCELLED";
  constructor(
    readonly runId: string,
    readonly by: string,
    readonly reason: string | null,
  ) {
    super(reason === null ? `Run ${runId} was cancelled by ${by}` : `Run ${runId} was cancelled by ${by}: ${reason}`);
    this.name = "RunCancelledError";
  }
}

/**
 * The process is shutting down: the attempt under way was aborted and the run stops where it is, without a record
 * of the abort, as a crash would leave it; recovery (here after a restart, or on another instance) resumes it.
 */
export class RunShutdownError extends NonRetryableError {
  override readonly code = "RUN_SHUTDOWN";
  constructor(readonly runId: string) {
    super(`Run ${runId} was stopped because its process is shutting down; recovery resumes it`);
    this.name = "RunShutdownError";
  }
}
