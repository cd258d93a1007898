import { isAbsolute, resolve } from "node:path";
import { AppConfigError } from "./app-errors.ts";
import type { RecoveryConfig, SagaqlConfig } from "./define-config.ts";

/** How an app runs, from the environment: the same variables for every app. */
export interface AppEnv {
  /** `PORT`. @default 4000 */
  port: number;
  /** `HOST`. @default "127.0.0.1" */
  host: string;
  /** `DATA_DIR`, absolute: local state (the default SQLite database, files services keep). @default "<root>/<config.dataDir ?? "data">" */
  dataDir: string;
  /**
   * `DATABASE_URL`: `postgresql://…` (or `postgres://…`) for PostgreSQL, otherwise a SQLite file, made absolute
   * here (against the working directory, as a shell user expects) so the app, the migrations and the journal agree.
   * @default "file:<dataDir>/<config.sqliteFile ?? "app.db">"
   */
  databaseUrl: string;
  /** `NODE_ENV=production`: GraphiQL, introspection and field suggestions off unless the config turns them on. */
  production: boolean;
  /**
   * `SAGAQL_LEASE_MS`, `SAGAQL_RECOVERY_INTERVAL_MS`, `SAGAQL_MAX_RECOVERY_ATTEMPTS`, `SAGAQL_RUN_RETENTION_MS`
   * (0 keeps runs forever), `SAGAQL_INSTANCE_ID`; the ones not set are left out.
   */
  recovery: RecoveryConfig;
}

/** Reads and checks the environment; a bad value fails here, with its name, not later with a stack trace. */
export function readAppEnv(
  env: NodeJS.ProcessEnv,
  config: Pick<SagaqlConfig, "root" | "dataDir" | "sqliteFile"> = {},
): AppEnv {
  const root = resolve(config.root ?? process.cwd());
  const dataDir = resolve(root, nonEmpty(env.DATA_DIR) ?? config.dataDir ?? "data");
  return {
    port: portFrom(env.PORT),
    host: nonEmpty(env.HOST) ?? "127.0.0.1",
    dataDir,
    databaseUrl: normalizeDatabaseUrl(
      nonEmpty(env.DATABASE_URL) ?? `file:${resolve(dataDir, config.sqliteFile ?? "app.db")}`,
    ),
    production: env.NODE_ENV === "production",
    recovery: recoveryFrom(env),
  };
}

function recoveryFrom(env: NodeJS.ProcessEnv): RecoveryConfig {
  const recovery: RecoveryConfig = {};
  const set = <K extends keyof RecoveryConfig>(key: K, value: RecoveryConfig[K] | undefined) => {
    if (value !== undefined) recovery[key] = value;
  };
  set("leaseMs", wholeNumber(env, "SAGAQL_LEASE_MS"));
  set("intervalMs", wholeNumber(env, "SAGAQL_RECOVERY_INTERVAL_MS"));
  set("maxRecoveryAttempts", wholeNumber(env, "SAGAQL_MAX_RECOVERY_ATTEMPTS"));
  set("retentionMs", wholeNumber(env, "SAGAQL_RUN_RETENTION_MS"));
  set("instanceId", nonEmpty(env.SAGAQL_INSTANCE_ID));
  return recovery;
}

/** A whole, non-negative number from the environment, or undefined when the variable is not set. */
export function wholeNumber(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const value = nonEmpty(env[name]);
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0)
    throw new AppConfigError(`${name} must be a whole, non-negative number, got "${value}"`);
  return number;
}

function portFrom(value: string | undefined): number {
  if (nonEmpty(value) === undefined) return 4000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new AppConfigError(`PORT must be an integer from 0 to 65535, got "${value}"`);
  return port;
}

function normalizeDatabaseUrl(url: string): string {
  if (/^postgres(ql)?:\/\//i.test(url)) return url;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith("file://")) {
    throw new AppConfigError(
      `DATABASE_URL must be postgresql://… or a SQLite file (file:path), got "${url.replace(/\/\/[^@/]*@/, "//…@")}"`,
    );
  }
  if (url.startsWith("file://")) return url;
  const path = url.replace(/^file:/, "");
  return `file:${isAbsolute(path) ? path : resolve(path)}`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
