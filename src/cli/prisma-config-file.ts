import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * The Prisma CLI's config for an app, in its prisma folder: sagaql passes it to every Prisma command, and
 * `npx prisma … --config prisma/prisma.config.ts` works by hand. Without one, Prisma would try to download a
 * query engine and fail with a bare ENOTFOUND.
 */
export const PRISMA_CONFIG_TEXT = [
  "// Written by `sagaql generate`: the Prisma CLI's configuration for this app (the JavaScript schema engine,",
  "// no engine download). Paths are relative to this file.",
  'import { prismaCliConfig } from "sagaql/prisma-config";',
  "",
  "export default prismaCliConfig();",
  "",
].join("\n");

/** Writes `<prismaDir>/prisma.config.ts` unless it is there already (a user may have changed it); returns its path. */
export async function ensurePrismaConfig(prismaDir: string): Promise<{ path: string; written: boolean }> {
  const path = join(prismaDir, "prisma.config.ts");
  if (existsSync(path) && (await readFile(path, "utf8")).trim() !== "") return { path, written: false };
  await mkdir(prismaDir, { recursive: true });
  await writeFile(path, PRISMA_CONFIG_TEXT);
  return { path, written: true };
}
