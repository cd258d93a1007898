import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { PrismaConfigMissingError, runPrismaCli } from "../../src/tooling/run-prisma-cli.ts";

const dir = mkdtempSync(join(tmpdir(), "sagaql-prisma-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("without a Prisma config the CLI is not started: the error says to run sagaql generate, not ENOTFOUND", async () => {
  mkdirSync(join(dir, "prisma", "sqlite"), { recursive: true });
  const schemaPath = join(dir, "prisma", "sqlite", "schema.prisma");
  writeFileSync(schemaPath, "");
  const running = runPrismaCli(["generate", "--schema", schemaPath], { schemaPath, cwd: dir });
  await expect(running).rejects.toBeInstanceOf(PrismaConfigMissingError);
  await expect(running).rejects.toThrow(
    /No Prisma config \(looked for .*prisma\.config\.ts and .*prisma\/prisma\.config\.ts\): run `sagaql generate`/,
  );
});
