import { dirname, relative, resolve } from "node:path";
import { appPaths, type AppPaths } from "../app/app-paths.ts";
import type { SagaqlConfig } from "../app/define-config.ts";
import type { SchemaEntity } from "../tooling/generate-prisma-schema.ts";
import type { AnyEntity } from "../action/run-action.ts";
import { CliError } from "./cli-error.ts";
import { findConfigFile, importConfigModule } from "./config-file.ts";

/** A config as loaded from the project's `sagaql.config.ts`, checked. */
export interface LoadedConfig {
  /** The config file, absolute. */
  file: string;
  /** The default export, with `root` set: the config's own, else the config file's folder. */
  config: SagaqlConfig;
  /** The config's entities, as a list. */
  entities: readonly AnyEntity[];
  /** The app's folders, absolute. */
  paths: AppPaths;
}

export interface LoadConfigOptions {
  /** Where to look for the config. @default process.cwd() */
  cwd?: string;
  /** A config file other than `sagaql.config.ts` (`--config`). */
  file?: string;
}

/** Finds, imports and checks the config: each mistake is a `CliError` naming it and its fix. */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const file = findConfigFile(cwd, options.file);
  const shown = relative(cwd, file) || file;
  const config = await importConfigModule(file);
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new CliError(
      `${shown}'s default export is ${describe(config)}, not a config: export default defineConfig({ entities: [...] })`,
    );
  }
  const entities = entityListOf((config as { entities?: unknown }).entities, shown);
  const given = config as SagaqlConfig;
  const withRoot: SagaqlConfig = { ...given, root: resolve(dirname(file), given.root ?? ".") };
  return { file, config: withRoot, entities, paths: appPaths(withRoot) };
}

function entityListOf(value: unknown, shown: string): readonly AnyEntity[] {
  if (value === undefined || value === null) {
    throw new CliError(
      `${shown} lists no entities: add \`entities: [yourEntity]\` (an array or a record of entity(...) definitions)`,
    );
  }
  if (typeof value !== "object")
    throw new CliError(
      `${shown}: entities is ${describe(value)}: give an array or a record of entity(...) definitions`,
    );
  const entries = Array.isArray(value)
    ? value.map((entity, index) => [`entities[${index}]`, entity] as const)
    : Object.entries(value).map(([key, entity]) => [`entities.${key}`, entity] as const);
  if (entries.length === 0) throw new CliError(`${shown}: entities is empty: add at least one entity(...) definition`);
  for (const [where, entity] of entries) {
    if (!isEntity(entity)) {
      throw new CliError(
        `${shown}: ${where} is ${describe(entity)}, not an entity: check its import (an entity(...) definition is expected)`,
      );
    }
  }
  return entries.map(([, entity]) => entity as AnyEntity);
}

function isEntity(value: unknown): value is SchemaEntity {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Partial<SchemaEntity>;
  return (
    typeof candidate.name === "string" && typeof candidate.typeName === "string" && typeof candidate.fields === "object"
  );
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "function") return "a function";
  return typeof value === "object" ? "an object" : `${typeof value} ${JSON.stringify(value)}`;
}
