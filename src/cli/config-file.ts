import { existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { CliError } from "./cli-error.ts";

/** The names `sagaql` looks for in the project folder, in this order. */
export const CONFIG_NAMES = ["sagaql.config.ts", "sagaql.config.mts", "sagaql.config.js", "sagaql.config.mjs"] as const;

/** The config file: the one given (`--config`), or the first of `CONFIG_NAMES` in `cwd`. */
export function findConfigFile(cwd: string, given?: string): string {
  if (given !== undefined) {
    const path = resolve(cwd, given);
    if (!existsSync(path))
      throw new CliError(`No config file at ${relative(cwd, path) || path}: check the --config path`);
    return path;
  }
  const found = CONFIG_NAMES.map((name) => join(cwd, name)).find((path) => existsSync(path));
  if (!found)
    throw new CliError(
      `No sagaql.config.ts in ${cwd}: run \`npx sagaql init\` to create an app, or run sagaql in your app's folder`,
    );
  return found;
}

/**
 * Imports the config module and returns its default export. TypeScript loads through tsx, registered by the
 * CLI before any command runs, so the config and everything it imports (entities, services) may be `.ts`.
 */
export async function importConfigModule(file: string): Promise<unknown> {
  const shown = relative(process.cwd(), file) || file;
  let loaded: { default?: unknown };
  try {
    loaded = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (error) {
    throw new CliError(
      `${shown} failed to load: ${firstLine(error)} (fix ${whereOf(error, file)}; --verbose shows the stack)`,
      { cause: error },
    );
  }
  if (loaded.default === undefined) {
    throw new CliError(
      `${shown} has no default export: end it with \`export default defineConfig({ entities: [...], services: {...} })\``,
    );
  }
  return loaded.default;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split("\n").find((line) => line.trim() !== "") ?? message).trim();
}

/** The user's file the error comes from, when the stack names one under the config's folder. */
function whereOf(error: unknown, file: string): string {
  const stack = error instanceof Error ? (error.stack ?? "") : "";
  const root = dirname(file);
  const match = stack
    .split("\n")
    .map((line) => /(file:\/\/)?(\/[^\s:()]+):(\d+)/.exec(line))
    .find((m) => m !== null && m[2] !== undefined && m[2].startsWith(root) && !m[2].includes("node_modules"));
  return match?.[2] ? `${relative(root, match[2])}:${match[3]}` : relative(process.cwd(), file) || file;
}
