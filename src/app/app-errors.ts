import { SagaqlError } from "../engine/errors.ts";

/**
 * Why an app could not start, as one line naming the problem and the fix: the CLI and `runApp` print the
 * message alone, without a stack trace, and exit 1.
 */
export class AppStartError extends SagaqlError {
  readonly code: string = "APP_START";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AppStartError";
  }
}

/** The generated Prisma client is missing, or was generated for other entities than the config's. */
export class GeneratedClientError extends AppStartError {
  override readonly code: "GENERATED_CLIENT_MISSING" | "GENERATED_CLIENT_STALE";
  constructor(code: GeneratedClientError["code"], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "GeneratedClientError";
    this.code = code;
  }
}

/** A setting of the config or the environment has a value the app cannot use. */
export class AppConfigError extends AppStartError {
  override readonly code = "APP_CONFIG";
  constructor(message: string) {
    super(message);
    this.name = "AppConfigError";
  }
}
