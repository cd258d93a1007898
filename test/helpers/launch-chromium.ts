import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

/** Debian's Chromium: Playwright's own browser download is unreachable offline. `CHROMIUM_PATH` overrides it. */
const EXECUTABLE = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Flags verified on these machines: headless, and nothing that phones home (updates, sync, QUIC, field trials). */
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Chromium {
  context: BrowserContext;
  /** Closes the browser and deletes its profile. */
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile (no GraphiQL tabs or history left from another run). */
export async function launchChromium(): Promise<Chromium> {
  if (!existsSync(EXECUTABLE)) throw new Error(`No Chromium at ${EXECUTABLE}: run \`apt-get update && apt-get install -y chromium\` (as .ci/run does)`);
  const profile = mkdtempSync(join(tmpdir(), "sagaql-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath: EXECUTABLE, headless: true, args: FLAGS });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
