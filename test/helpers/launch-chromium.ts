import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { bundledChromium } from "./bundled-chromium.ts";

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

interface Browser {
  executablePath: string;
  env: NodeJS.ProcessEnv;
}

/**
 * The headless Chromium that ships inside an npm package, so `npm install` is all a machine needs
 * (Playwright's own browser download is unreachable offline). `CHROMIUM_PATH` picks another binary.
 */
async function browser(): Promise<Browser> {
  const override = process.env.CHROMIUM_PATH;
  if (override !== undefined) return { executablePath: override, env: process.env };
  const bundled = await bundledChromium();
  const inherited = process.env.LD_LIBRARY_PATH;
  const libraryPath = inherited ? `${bundled.libraryPath}:${inherited}` : bundled.libraryPath;
  return { executablePath: bundled.executable, env: { ...process.env, LD_LIBRARY_PATH: libraryPath } };
}

export interface Chromium {
  context: BrowserContext;
  /** Closes the browser and deletes its profile. */
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile (no GraphiQL tabs or history left from another run). */
export async function launchChromium(): Promise<Chromium> {
  const { executablePath, env } = await browser();
  const profile = mkdtempSync(join(tmpdir(), "sagaql-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath, env, headless: true, args: FLAGS });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
