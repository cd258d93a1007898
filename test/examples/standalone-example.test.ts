import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, test } from "vitest";

const run = promisify(execFile);

test("the README's standalone example commits on success and rolls back and compensates on failure", async () => {
  const { stdout } = await run(process.execPath, ["--import", "tsx", "examples/standalone/import-products.ts"], {
    timeout: 60_000,
  });
  expect(stdout).toContain("success: { imported: 1");
  expect(stdout).toContain("failedStep: 'notify'");
  expect(stdout).toContain("compensatedSteps: [ 'insert-first' ]");
  expect(stdout).toContain("rolledBack: true");
  expect(stdout).toContain("products now: [ 'DL-1' ]");
}, 60_000);
