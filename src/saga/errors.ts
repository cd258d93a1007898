/**
 * Errors the engine raises or understands. Each carries a stable string `code`, because a journaled error
 * comes back from the database as plain data and `instanceof` no longer works on it.
 */

/** Throw it from a step to fail at once, whatever the step's retry policy says (a declined card, bad input). */
export class NonRetryableError extends Error {
  readonly code: string = "NON_RETRYABLE";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "NonRetryableError";
  }
}

/** A workflow or step definition that cannot run; raised when the definition is built, not when it runs. */
export class WorkflowDefinitionError extends Error {
  readonly code = "WORKFLOW_DEFINITION";
  constructor(message: string) {
    super(message);
    this.name = "WorkflowDefinitionError";
  }
}

/** `ctx.resolve(name)` found no service registered under that name. */
export class ServiceNotFoundError extends Error {
  readonly code = "SERVICE_NOT_FOUND";
  constructor(readonly serviceName: string, registered: readonly string[]) {
    const known = registered.length > 0 ? `registered services: ${registered.join(", ")}` : "no services are registered";
    super(`Service "${serviceName}" is not registered (${known}). Pass it in the "services" option.`);
    this.name = "ServiceNotFoundError";
  }
}

/** A step ran longer than its `timeout` option allows. */
export class StepTimeoutError extends Error {
  readonly code = "STEP_TIMEOUT";
  constructor(readonly stepName: string, readonly timeoutMs: number) {
    super(`Step "${stepName}" timed out after ${timeoutMs} ms`);
    this.name = "StepTimeoutError";
  }
}

/** The workflow transaction could not commit after every step succeeded, so its database writes are gone. */
export class TransactionCommitError extends Error {
  readonly code = "TRANSACTION_COMMIT_FAILED";
  constructor(cause: unknown) {
    super(`The workflow transaction failed to commit: ${errorMessage(cause)}`, { cause });
    this.name = "TransactionCommitError";
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
