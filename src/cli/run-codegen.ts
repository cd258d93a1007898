import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { CliError } from "./cli-error.ts";

export type CodegenOutcome = { ran: true } | { ran: false; reason: string };

/**
 * Runs GraphQL Code Generator on the app's `codegen.ts` when the app has both that file and the generator
 * installed (the scaffold lists it in devDependencies): the typed client is regenerated with the SDL it reads.
 */
export async function runCodegen(root: string): Promise<CodegenOutcome> {
  const config = join(root, "codegen.ts");
  if (!existsSync(config)) return { ran: false, reason: "no codegen.ts" };
  const bin = codegenBin(root);
  if (!bin) return { ran: false, reason: "@graphql-codegen/cli is not installed: run `npm install`" };
  const output: Buffer[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "--config", config], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (chunk: Buffer) => output.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => output.push(chunk));
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (code !== 0) {
    const text = Buffer.concat(output).toString("utf8");
    const reason =
      text
        .split("\n")
        .map((line) => line.trim())
        .find((line) => /error|failed|✖/i.test(line)) ?? `exit code ${code}`;
    throw new CliError(
      `graphql-codegen failed (${reason}): fix codegen.ts or the operations it reads, then run \`sagaql generate\` again`,
    );
  }
  return { ran: true };
}

function codegenBin(root: string): string | undefined {
  try {
    const manifest = createRequire(join(root, "package.json")).resolve("@graphql-codegen/cli/package.json");
    const bin = (JSON.parse(readFileSync(manifest, "utf8")) as { bin?: Record<string, string> }).bin?.[
      "graphql-codegen"
    ];
    return bin ? join(dirname(manifest), bin) : undefined;
  } catch {
    return undefined;
  }
}
