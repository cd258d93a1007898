import { execFile, spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "../helpers/npm-start.ts";
import { retryUntil } from "../helpers/retry-until.ts";

const run = promisify(execFile);

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; a non-zero exit is a result, not an exception (error tests look at it). */
export async function runCommand(
  command: string,
  args: readonly string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await run(command, args, {
      cwd,
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === "number" ? failed.code : 1,
      stdout: failed.stdout ?? "",
      stderr: failed.stderr ?? "",
    };
  }
}

/** Runs a command that must succeed; its output is in the error when it does not. */
export async function mustRun(
  command: string,
  args: readonly string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<string> {
  const result = await runCommand(command, args, cwd, env);
  if (result.code !== 0)
    throw new Error(`${command} ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** npm from the local cache where it can (a fresh machine's cache holds only what `npm ci` fetched: the rest comes from the registry). */
export const NPM_INSTALL = ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"];

/**
 * The package as a user gets it: built, packed, installed from the tarball into an empty folder. Install scripts
 * are skipped to keep the test fast (compiling better-sqlite3 from source takes minutes); the one they would
 * produce that the app needs, better-sqlite3's native module, is copied from this checkout's identical install.
 */
export async function packAndInstall(): Promise<{ appDir: string; tarball: string; remove(): void }> {
  await mustRun("npm", ["run", "build"], PROJECT_ROOT);
  const packDir = mkdtempSync(join(tmpdir(), "sagaql-pack-"));
  await mustRun("npm", ["pack", "--ignore-scripts", "--pack-destination", packDir], PROJECT_ROOT);
  const tarball = join(
    packDir,
    readdirSync(packDir).find((name) => name.endsWith(".tgz"))!,
  );
  const appDir = mkdtempSync(join(tmpdir(), "sagaql-consumer-"));
  writeFileSync(join(appDir, "package.json"), JSON.stringify({ name: "trip-app", private: true }));
  await mustRun("npm", [...NPM_INSTALL, tarball], appDir);
  cpSync(join(PROJECT_ROOT, "node_modules/better-sqlite3/build"), join(appDir, "node_modules/better-sqlite3/build"), {
    recursive: true,
  });
  return {
    appDir,
    tarball,
    remove: () => {
      rmSync(appDir, { recursive: true, force: true });
      rmSync(packDir, { recursive: true, force: true });
    },
  };
}

export interface StartedApp {
  graphqlUrl: string;
  output(): string;
  stop(): Promise<void>;
}

/** `sagaql start` as the installed bin, under plain node, on a free port; ready once it prints the GraphiQL URL. */
export async function startApp(appDir: string, env: Record<string, string>): Promise<StartedApp> {
  const bin = join(appDir, "node_modules/sagaql/dist/cli/main.js");
  const child: ChildProcess = spawn(process.execPath, [bin, "start"], {
    cwd: appDir,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let ended = false;
  void exited.then(() => (ended = true));
  const stop = async () => {
    if (!ended) child.kill("SIGTERM");
    await exited;
  };
  try {
    const graphqlUrl = await retryUntil(
      () => {
        if (ended) throw new Error(`sagaql start exited:\n${output}`);
        return /GraphiQL: (http:\/\/\S+)/.exec(output)?.[1];
      },
      { timeoutMs: 60_000, what: "sagaql start to print the GraphiQL URL", intervalMs: 50 },
    );
    return { graphqlUrl, output: () => output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
