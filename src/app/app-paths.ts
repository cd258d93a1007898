import { isAbsolute, resolve } from "node:path";
import type { PrismaProvider } from "../tooling/generate-prisma-schema.ts";
import type { SagaqlConfig } from "./define-config.ts";

/** Where an app's files are, every path absolute. */
export interface AppPaths {
  root: string;
  prismaDir: string;
  generatedDir: string;
  schemaFile: string;
  dataDir: string;
}

/** The config's folders, resolved against its root (relative ones) with the defaults filled in. */
export function appPaths(
  config: Pick<SagaqlConfig, "root" | "prismaDir" | "generatedDir" | "schemaFile" | "dataDir">,
): AppPaths {
  const root = resolve(config.root ?? process.cwd());
  return {
    root,
    prismaDir: resolve(root, config.prismaDir ?? "prisma"),
    generatedDir: resolve(root, config.generatedDir ?? "generated/prisma"),
    schemaFile: resolve(root, config.schemaFile ?? "schema/schema.graphql"),
    dataDir: resolve(root, config.dataDir ?? "data"),
  };
}

/** The Prisma schema whose `migrations/` folder is next to it. */
export function prismaSchemaPath(paths: AppPaths, provider: PrismaProvider): string {
  return resolve(paths.prismaDir, provider, "schema.prisma");
}

/** The database when none is named: a SQLite file in the data folder. */
export function defaultDatabaseUrl(paths: AppPaths, sqliteFile = "app.db"): string {
  return `file:${resolve(paths.dataDir, sqliteFile)}`;
}

/** A relative SQLite path is the app's, not the working directory's: `file:data/app.db` is under the root. */
export function absoluteDatabaseUrl(paths: AppPaths, url: string): string {
  if (/^postgres(ql)?:\/\//i.test(url) || url.startsWith("file://")) return url;
  const path = url.replace(/^file:/, "");
  return path === ":memory:" || isAbsolute(path) ? `file:${path}` : `file:${resolve(paths.root, path)}`;
}
