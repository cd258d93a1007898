import { spawn, type ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { networkCut, unshareArgs } from "./network-cut.ts";
import { retryUntil } from "./retry-until.ts";

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface StartedProcess {
  child: ChildProcess;
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
  /** Resolves once the output holds `text`: plain writes can arrive after a log line printed before them. */
  waitForOutput(text: string, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/**
 * `npm start`, as a user runs it, with extra environment, in a process group of its own (so a test can signal
 * the whole group, as a terminal's Ctrl-C does). The caller must stop it and await `exited`.
 */
export function startNpm(
  env: Record<string, string>,
  options: { script?: string; offline?: boolean } = {},
): StartedProcess {
  const npm = ["npm", "run", "--silent", options.script ?? "start"];
  // Offline: a network namespace of its own, with nothing but a loopback interface. `exec` keeps npm the child's pid.
  const [command, ...args] = options.offline
    ? [...unshareArgs(networkCut()), "sh", "-c", `ip link set lo up && exec ${npm.join(" ")}`]
    : npm;
  const child = spawn(command!, args, {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let ended = false;
  void exited.then(() => (ended = true));
  const logs = () =>
    output
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
  const waitForLog = async (
    predicate: (line: Record<string, unknown>) => boolean,
    what: string,
    timeoutMs = 60_000,
  ) => {
    try {
      return await retryUntil(
        () => {
          const found = logs().find(predicate);
          if (found) return found;
          if (ended) throw new Error("the process exited");
          return undefined;
        },
        { timeoutMs, what, intervalMs: 50 },
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- output ---\n${output}`, { cause: error });
    }
  };
  const waitForOutput = async (text: string, timeoutMs = 10_000) => {
    await retryUntil(() => output.includes(text), { timeoutMs, what: `"${text}" in the output`, intervalMs: 50 }).catch(
      (error: Error) => {
        throw new Error(`${error.message}\n--- output ---\n${output}`);
      },
    );
  };
  return { child, output: () => output, logs, waitForLog, waitForOutput, exited };
}
