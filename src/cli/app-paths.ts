import { resolve } from "node:path";

/** The folders of an app, absolute; each is a config option, resolved against the project root. */
export interface CliPaths {
  root: string;
  /** `prismaDir`: `<provider>/schema.prisma`, `<provider>/migrations/`, and `prisma.config.ts`. @default "prisma" */
  prismaDir: string;
  /** `generatedDir`: the generated Prisma clients and Pothos types. @default "generated/prisma" */
  generatedDir: string;
  /** `schemaFile`: the printed GraphQL schema. @default "schema/schema.graphql" */
  schemaFile: string;
  /** `dataDir`: the default SQLite database and services' local state. @default "data" */
  dataDir: string;
}

/** The config's folders with the defaults filled in. */
export function cliPaths(root: string, config: Record<string, unknown>): CliPaths {
  const option = (name: string, fallback: string) => resolve(root, typeof config[name] === "string" ? (config[name] as string) : fallback);
  return {
    root,
    prismaDir: option("prismaDir", "prisma"),
    generatedDir: option("generatedDir", "generated/prisma"),
    schemaFile: option("schemaFile", "schema/schema.graphql"),
    dataDir: option("dataDir", "data"),
  };
}
