#!/usr/bin/env node
// The `sagaql` command. TypeScript (the config, the entities it imports, the generated Prisma clients) loads
// through tsx, registered before anything of the app is imported — as vite and vitest load their configs.
import { readFileSync } from "node:fs";
import { register } from "tsx/esm/api";
import { reportError } from "./cli-error.ts";
import { createProgram } from "./program.ts";

register();
const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};
const verbose =
  process.argv.includes("--verbose") ||
  (process.env.DEBUG !== undefined && process.env.DEBUG !== "" && process.env.DEBUG !== "0");
try {
  await createProgram(version, (line) => console.log(line)).parseAsync(process.argv);
} catch (error) {
  reportError(error, { verbose });
  process.exit(1);
}
