import { spawn } from "node:child_process";
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createBrotliDecompress } from "node:zlib";

/** Where the npm package keeps its brotli-compressed headless Chromium and the libraries it links against. */
function packageRoot(): string {
  const entry = createRequire(import.meta.url).resolve("@sparticuz/chromium");
  return join(dirname(entry), "..");
}

export interface BundledChromium {
  executable: string;
  /** The NSS and expat libraries the binary links against, so it runs without the system's. */
  libraryPath: string;
}

/**
 * Unpacks the browser that `npm install` brought, once per package version, into a folder of its own.
 * The package's own unpacker writes straight to a fixed name in the temp folder, where two test files
 * starting at once would launch a half-written binary; here each process unpacks beside the target and
 * renames, so a folder that exists is always complete.
 */
export async function bundledChromium(): Promise<BundledChromium> {
  const root = packageRoot();
  const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
  const target = join(tmpdir(), `sagaql-bundled-chromium-${version}`);
  if (!existsSync(target)) await unpackInto(join(root, "bin"), target);
  return { executable: join(target, "chromium"), libraryPath: join(target, "lib") };
}

async function unpackInto(bin: string, target: string): Promise<void> {
  const staging = `${target}.${process.pid}.${Date.now()}`;
  mkdirSync(staging, { recursive: true });
  try {
    await Promise.all([
      pipeline(
        createReadStream(join(bin, "chromium.br")),
        createBrotliDecompress(),
        createWriteStream(join(staging, "chromium"), { mode: 0o755 }),
      ),
      untar(join(bin, "al2023.tar.br"), staging),
    ]);
    renameSync(staging, target);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    // Another process finished first: its folder is complete, so use it.
    if (!existsSync(join(target, "chromium"))) throw error;
  }
}

/** The archive holds `lib/…`; the system's tar extracts it, fed through Node's brotli decoder. */
async function untar(archive: string, into: string): Promise<void> {
  const tar = spawn("tar", ["-x", "-C", into], { stdio: ["pipe", "ignore", "inherit"] });
  const exited = new Promise<void>((resolve, reject) => {
    tar.once("error", reject);
    tar.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`tar exited with ${code} unpacking ${archive}`)),
    );
  });
  await Promise.all([pipeline(createReadStream(archive), createBrotliDecompress(), tar.stdin), exited]);
}
