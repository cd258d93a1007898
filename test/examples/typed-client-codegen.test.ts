import { generate } from "@graphql-codegen/cli";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import config from "../../codegen.ts";
import { PROJECT_ROOT } from "../helpers/npm-start.ts";

const CLIENT_DIR = join(PROJECT_ROOT, "examples/checkout/client");

describe("the checked-in typed client", () => {
  it("is what `npm run codegen` generates from the current schema and operations", async () => {
    const generated = (await generate({ ...config, cwd: PROJECT_ROOT, silent: true }, false)) as Array<{
      filename: string;
      content: string;
    }>;
    const expected = Object.fromEntries(
      generated.map((file) => [relative(CLIENT_DIR, join(PROJECT_ROOT, file.filename)), file.content]),
    );
    const onDisk = Object.fromEntries(
      await Promise.all(
        (await readdir(CLIENT_DIR)).map(
          async (name) => [name, await readFile(join(CLIENT_DIR, name), "utf8")] as const,
        ),
      ),
    );
    // On failure: run `npm run codegen` and commit examples/checkout/client/.
    expect(Object.keys(onDisk).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, content] of Object.entries(expected))
      expect(onDisk[name], `${name} is stale: run npm run codegen`).toBe(content);
  }, 30_000);
});
