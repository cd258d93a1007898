import { isAbsolute, join, resolve } from "node:path";

/** How `npm start` runs, from the environment: PORT, HOST, DATABASE_URL, DATA_DIR. */
export interface ServerConfig {
  /** `PORT`. @default 4000 */
  port: number;
  /** `HOST`. @default "127.0.0.1" */
  host: string;
  /** `DATA_DIR`, absolute: local state (the default SQLite database, the simulated providers' files). @default "<project>/data" */
  dataDir: string;
  /**
   * `DATABASE_URL`: `postgresql://…` (or `postgres://…`) for PostgreSQL, otherwise a SQLite file, made absolute
   * here so the app, the migrations and the journal agree on it whatever their working directory.
   * @default "file:<dataDir>/checkout.db"
   */
  databaseUrl: string;
}

/** Reads and checks the environment; a bad value fails here, with its name, not later with a stack trace. */
export function readServerConfig(env: NodeJS.ProcessEnv, projectRoot: string): ServerConfig {
  const dataDir = resolve(projectRoot, nonEmpty(env.DATA_DIR) ?? "data");
  return {
    port: portFrom(env.PORT),
    host: nonEmpty(env.HOST) ?? "127.0.0.1",
    dataDir,
    databaseUrl: normalizeDatabaseUrl(nonEmpty(env.DATABASE_URL) ?? `file:${join(dataDir, "checkout.db")}`),
  };
}

function portFrom(value: string | undefined): number {
  if (nonEmpty(value) === undefined) return 4000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`PORT must be an integer from 0 to 65535, got "${value}"`);
  return port;
}

function normalizeDatabaseUrl(url: string): string {
  if (/^postgres(ql)?:\/\//i.test(url)) return url;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith("file://")) {
    throw new Error(`DATABASE_URL must be postgresql://… or a SQLite file (file:path), got "${url.replace(/\/\/[^@/]*@/, "//…@")}"`);
  }
  if (url.startsWith("file://")) return url;
  const path = url.replace(/^file:/, "");
  return `file:${isAbsolute(path) ? path : resolve(path)}`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
