/**
 * `npm run build`: the published package. Compiles src/ to JavaScript and declarations in dist/ (relative `.ts`
 * imports rewritten to `.js`) and copies the files the code reads at run time next to it.
 */
import { spawnSync } from "node:child_process";
import { cpSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { ROOT } from "./prisma-apps.ts";

/** Read with `readFileSync(new URL(..., import.meta.url))`, so they must sit next to the compiled module. */
const ASSETS = ["src/server/runs-console.html"];

rmSync(join(ROOT, "dist"), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const compiled = spawnSync(process.execPath, [tsc, "-p", join(ROOT, "tsconfig.build.json")], {
  cwd: ROOT,
  stdio: "inherit",
});
if (compiled.status !== 0) process.exit(compiled.status ?? 1);
for (const file of ASSETS) {
  const target = join(ROOT, "dist", relative("src", file));
  cpSync(join(ROOT, file), target);
  console.log(`copied ${file} to ${relative(ROOT, dirname(target))}/`);
}
