// Each mistake a user can make in the config, its entities or the environment: one line on stderr naming the
// problem and the fix, exit code 1, no stack trace unless --verbose. The CLI runs from the TypeScript sources.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import { PROJECT_ROOT } from "../helpers/npm-start.ts";
import { runCommand, type CommandResult } from "../package/installed-app.ts";

const TSX = pathToFileURL(join(PROJECT_ROOT, "node_modules/tsx/dist/loader.mjs")).href;
const CLI = join(PROJECT_ROOT, "src/cli/main.ts");
const SAGAQL = pathToFileURL(join(PROJECT_ROOT, "src/index.ts")).href;

const dirs: string[] = [];
// After all: the cases run concurrently, so one case's cleanup must not remove another's folder.
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A project folder holding `sagaql.config.ts` with `config` as its text (none when undefined). */
function project(config: string | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), "sagaql-cli-"));
  dirs.push(dir);
  if (config !== undefined) writeFileSync(join(dir, "sagaql.config.ts"), config);
  return dir;
}

function sagaql(dir: string, args: string[], env: Record<string, string> = {}): Promise<CommandResult> {
  return runCommand(process.execPath, ["--import", TSX, CLI, ...args], dir, { DEBUG: "", LOG_LEVEL: "silent", ...env });
}

function expectOneLine(result: CommandResult, pattern: RegExp): void {
  expect(result.code).toBe(1);
  const lines = result.stderr.split("\n").filter((line) => line.trim() !== "");
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

const TRIP = `import { entity, string } from ${JSON.stringify(SAGAQL)};\nconst trip = entity("trip", { destination: string });\n`;

// Each case is its own process; 60 s each leaves room for a loaded machine (a case takes 2–3 s on a quiet one).
describe.concurrent("sagaql with a mistake in the project", { timeout: 60_000 }, () => {
  test("no config file: says to run sagaql init", async () => {
    expectOneLine(
      await sagaql(project(undefined), ["generate"]),
      /^sagaql: No sagaql\.config\.ts in .+: run `npx sagaql init`/,
    );
  });

  test("a config without a default export: shows the export to add", async () => {
    expectOneLine(
      await sagaql(project("export const config = {};\n"), ["schema"]),
      /sagaql\.config\.ts has no default export: end it with `export default defineConfig\(/,
    );
  });

  test("a config that throws on import: its message and where, not the stack", async () => {
    const dir = project(
      `${TRIP}throw new Error("services are not configured");\nexport default { entities: [trip] };\n`,
    );
    expectOneLine(
      await sagaql(dir, ["generate"]),
      /sagaql\.config\.ts failed to load: services are not configured \(fix sagaql\.config\.ts:3; --verbose shows the stack\)/,
    );
  });

  test("--verbose adds the stack of a config that throws", async () => {
    const result = await sagaql(project(`throw new Error("broken config");\n`), ["generate", "--verbose"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^\s+at /m);
  });

  test.each([
    ["no entities", "export default {};\n", /lists no entities: add `entities: \[yourEntity\]`/],
    ["empty entities", "export default { entities: [] };\n", /entities is empty: add at least one entity/],
    [
      "an entity that is not one",
      `${TRIP}export default { entities: [trip, undefined] };\n`,
      /entities\[1\] is undefined, not an entity: check its import/,
    ],
    ["a default export that is not an object", "export default 42;\n", /default export is number 42, not a config/],
  ])("%s: names it and the fix", async (_name, config, pattern) => {
    expectOneLine(await sagaql(project(config), ["generate"]), pattern);
  });

  test("no generated client: says to run sagaql generate", async () => {
    expectOneLine(
      await sagaql(project(`${TRIP}export default { entities: [trip] };\n`), ["schema"]),
      /No generated sqlite Prisma client in generated\/prisma\/sqlite: run `sagaql generate`/,
    );
  });

  test("a generated client out of step with the entities: says to run sagaql generate", async () => {
    // The checkout example's client, generated for other entities than this config's.
    const dir = project(
      `${TRIP}export default { entities: [trip], generatedDir: ${JSON.stringify(join(PROJECT_ROOT, "generated/checkout"))} };\n`,
    );
    expectOneLine(await sagaql(dir, ["schema"]), /out of step with the entities .*: run `sagaql generate`/);
  });

  test("a malformed DATABASE_URL: names the variable and the forms it takes", async () => {
    const dir = project(`${TRIP}export default { entities: [trip] };\n`);
    expectOneLine(
      await sagaql(dir, ["migrate"], { DATABASE_URL: "mysql://root@localhost/app" }),
      /DATABASE_URL must be postgresql:\/\/… or a SQLite file \(file:path\), got "mysql:/,
    );
  });

  test("migrate before generate: says to run sagaql generate first", async () => {
    expectOneLine(
      await sagaql(project(`${TRIP}export default { entities: [trip] };\n`), ["migrate"]),
      /No prisma\/sqlite\/schema\.prisma: run `sagaql generate` first/,
    );
  });

  test("init into a folder that holds an app already: refuses rather than overwrite it", async () => {
    const dir = project("export default {};\n");
    expectOneLine(await sagaql(dir, ["init"]), /is not empty \(sagaql\.config\.ts\): run `sagaql init <new-folder>`/);
  });

  test("an unknown command: commander names it, exit 1", async () => {
    const result = await sagaql(project(undefined), ["strat"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unknown command 'strat'/);
  });
});
