import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { PROJECT_ROOT } from "./npm-start.ts";
import { retryUntil } from "./retry-until.ts";

export interface ServerProcess {
  child: ChildProcess;
  /** The GraphQL endpoint, from the "checkout example ready" log line. */
  graphqlUrl: string;
  /** Everything printed so far: stdout and stderr, in arrival order. */
  output(): string;
  /** Stdout lines that are JSON (pino's), parsed. */
  logs(): Array<Record<string, unknown>>;
  /** Resolves with the first log line matching, or fails with the output so far. */
  waitForLog(
    predicate: (line: Record<string, unknown>) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** Resolves once the process ended: its exit code, or the signal that killed it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL from outside, as an OOM killer or a pulled plug would; resolves once it is gone. */
  kill(): Promise<void>;
  /** SIGTERM (graceful) and wait; SIGKILL if it is still there after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnedServer {
  /** Lets a held server start (see `held`) and resolves once it is ready to serve. */
  ready(timeoutMs?: number): Promise<ServerProcess>;
  /** Lets a held server start, without waiting for it (it may die before it is ready: a crash test). */
  release(): void;
  exited: ServerProcess["exited"];
  logs: ServerProcess["logs"];
  /** SIGKILL, whether it became ready or not. */
  kill(): Promise<void>;
}

export interface SpawnServerOptions {
  /**
   * The entry waits for a line on stdin before it starts its app (it must support that, as
   * test/crash/crash-server.ts does with `SAGAQL_HOLD_START=1`): the seconds Node spends loading modules are spent
   * ahead of time, while the app itself starts only when released. Such an entry exits when its stdin closes, so a
   * test runner that dies leaves no server behind. @default false
   */
  held?: boolean;
}

/**
 * Starts a TypeScript server entry (path relative to the project) as a real Node process — `node --import tsx`,
 * without npm in between, so that signals reach the server itself. Its app is ready once it logs
 * "checkout example ready".
 */
export function spawnServerProcess(
  entry: string,
  env: Record<string, string>,
  options: SpawnServerOptions = {},
): SpawnedServer {
  const child = spawn(process.execPath, ["--import", "tsx", join(PROJECT_ROOT, entry)], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", ...env, ...(options.held ? { SAGAQL_HOLD_START: "1" } : {}) },
    stdio: [options.held ? "pipe" : "ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  // A held child that dies before it is released must not fail the test with EPIPE.
  child.stdin?.on("error", () => undefined);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  let ended = false;
  void exited.then(() => (ended = true));
  const logs = () => output.split("\n").flatMap(parseJsonLine);
  const waitForLog = async (
    predicate: (line: Record<string, unknown>) => boolean,
    what: string,
    timeoutMs = 30_000,
  ) => {
    try {
      return await retryUntil(
        () => {
          const found = logs().find(predicate);
          if (found) return found;
          if (ended) throw new Error("the process exited");
          return undefined;
        },
        { timeoutMs, what, intervalMs: 20 },
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- output of ${entry} ---\n${output}`, { cause: error });
    }
  };
  const kill = async () => {
    if (!ended) child.kill("SIGKILL");
    await exited;
  };
  const stop = async (graceMs = 10_000) => {
    if (ended) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  };
  // Written, not ended: the pipe stays open for the process's life, and its closing (this process died) ends it.
  const release = () => void child.stdin?.write("start\n");
  const ready = async (timeoutMs = 60_000) => {
    release();
    try {
      const line = await waitForLog((l) => l.msg === "checkout example ready", `${entry} to be ready`, timeoutMs);
      return { child, graphqlUrl: String(line.url), output: () => output, logs, waitForLog, exited, kill, stop };
    } catch (error) {
      await kill();
      throw error;
    }
  };
  return { ready, release, exited, logs, kill };
}

/** `spawnServerProcess(…).ready()`: a real server process, ready to serve. */
export function startServerProcess(
  entry: string,
  env: Record<string, string>,
  options: { readyTimeoutMs?: number } = {},
): Promise<ServerProcess> {
  return spawnServerProcess(entry, env).ready(options.readyTimeoutMs);
}

function parseJsonLine(line: string): Array<Record<string, unknown>> {
  if (!line.startsWith("{")) return [];
  try {
    return [JSON.parse(line) as Record<string, unknown>];
  } catch {
    return [];
  }
}
