import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import type { PrismaProvider } from "./generate-prisma-schema.ts";
import { SagaqlError } from "../engine/errors.ts";

export interface RunPrismaCliOptions {
  /** The schema the command works on; also handed to `prisma.config.ts` as `PRISMA_SCHEMA`. */
  schemaPath: string;
  /**
   * The database URL. Commands that never connect (generate, migrate diff between schema files) still need
   * one: Prisma resolves `env("DATABASE_URL")` before anything else, and when it cannot it falls back to
   * downloading a query engine. @default an unreachable placeholder URL for `provider`
   */
  url?: string;
  /** Picks the placeholder URL when `url` is not given. @default "sqlite" */
  provider?: PrismaProvider;
  /** The command only compares schema files: the config answers the engine without a database. @default false */
  offline?: boolean;
  /** Working directory of the CLI. @default process.cwd() */
  cwd?: string;
  /**
   * The Prisma config file. @default `prisma.config.ts` in `cwd`, else the one `sagaql generate` writes in the
   * app's prisma folder (the parent of the schema's provider folder)
   */
  config?: string;
}

export interface PrismaCliResult {
  stdout: string;
  stderr: string;
}

/**
 * Preloaded into the CLI: the schema engine arms 10 s timers (PostgreSQL advisory-lock timeouts) and
 * never clears them, so `migrate deploy` sat idle for 10 s after finishing. Long timers are unref'd: pending
 * work still keeps the process alive through its sockets, an abandoned guard no longer does.
 */
const UNREF_LONG_TIMERS = `data:text/javascript,${encodeURIComponent(`
const setTimeoutRef = globalThis.setTimeout;
globalThis.setTimeout = function (fn, ms, ...args) {
  const timer = setTimeoutRef(fn, ms, ...args);
  if (ms >= 5000) timer.unref?.();
  return timer;
};`)}`;

const PLACEHOLDER_URLS: Record<PrismaProvider, string> = {
  sqlite: "file::memory:",
  postgresql: "postgresql://offline@127.0.0.1:1/offline",
};

/** Thrown when the Prisma CLI exits non-zero; carries its output, since that is where the reason is. */
export class PrismaCliError extends SagaqlError {
  readonly code = "PRISMA_CLI_FAILED";
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly output: PrismaCliResult,
  ) {
    super(`prisma ${args.join(" ")} exited with ${exitCode}:\n${output.stderr || output.stdout}`);
    this.name = "PrismaCliError";
  }
}

/**
 * Runs the Prisma CLI of this installation (never `npx`, which may fetch another version) with telemetry
 * and update checks off, so it works with the network cut off.
 */
export function runPrismaCli(args: readonly string[], options: RunPrismaCliOptions): Promise<PrismaCliResult> {
  const cli = createRequire(import.meta.url).resolve("prisma/build/index.js");
  let config: string;
  try {
    config = prismaConfigFor(options);
  } catch (error) {
    return Promise.reject(error);
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: options.url ?? PLACEHOLDER_URLS[options.provider ?? "sqlite"],
    PRISMA_SCHEMA: options.schemaPath,
    CHECKPOINT_DISABLE: "1",
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
  };
  if (options.offline) env.SAGAQL_OFFLINE_DIFF = "1";
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", UNREF_LONG_TIMERS, cli, ...args, "--config", config], {
      cwd: options.cwd ?? process.cwd(),
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (exitCode) => {
      const output = { stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") };
      if (exitCode === 0) resolve(output);
      else reject(new PrismaCliError(args, exitCode, output));
    });
  });
}

/** Thrown instead of running the CLI without a config: it would try to download an engine and fail with ENOTFOUND. */
export class PrismaConfigMissingError extends SagaqlError {
  readonly code = "PRISMA_CONFIG_MISSING";
  constructor(readonly searched: readonly string[]) {
    super(`No Prisma config (looked for ${searched.join(" and ")}): run \`sagaql generate\`, which writes one`);
    this.name = "PrismaConfigMissingError";
  }
}

function prismaConfigFor(options: RunPrismaCliOptions): string {
  const cwd = options.cwd ?? process.cwd();
  if (options.config) return resolve(cwd, options.config);
  const candidates = [
    join(cwd, "prisma.config.ts"),
    join(dirname(dirname(resolve(cwd, options.schemaPath))), "prisma.config.ts"),
  ];
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new PrismaConfigMissingError(candidates);
  return found;
}
