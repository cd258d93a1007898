/**
 * `npm start` from spawn to the first answer of /health, on a database that has every migration already
 * (the common case: every start after the first). One start migrates a fresh database first; then
 * `BENCH_STARTS` starts (default 3) are timed one after another. `DATABASE_URL` picks the database
 * (default: a SQLite file in a temp folder, deleted afterwards).
 *
 *     npm run bench:start
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNpm } from "../test/helpers/npm-start.ts";

const STARTS = Number(process.env.BENCH_STARTS ?? 3);

/** Starts the server, waits until /health answers, stops it; the time to the answer, in ms. */
async function timeOneStart(env: Record<string, string>): Promise<number> {
  const started = performance.now();
  const app = startNpm(env);
  try {
    const ready = await app.waitForLog((line) => line.msg === "checkout example ready", "the server to be ready");
    const health = await fetch(String(ready.url).replace("/graphql", "/health"));
    if (health.status !== 200) throw new Error(`/health answered ${health.status}`);
    return performance.now() - started;
  } finally {
    app.child.kill("SIGTERM");
    await app.exited;
  }
}

const dataDir = mkdtempSync(join(tmpdir(), "sagaql-bench-start-"));
const env = { PORT: "0", HOST: "127.0.0.1", DATABASE_URL: process.env.DATABASE_URL ?? `file:${join(dataDir, "app.db")}`, DATA_DIR: dataDir, LOG_LEVEL: "warn" };
try {
  const first = await timeOneStart({ ...env, LOG_LEVEL: "info" });
  console.info(`first start (migrates): ${Math.round(first)} ms`);
  const times: number[] = [];
  for (let i = 0; i < STARTS; i++) times.push(await timeOneStart({ ...env, LOG_LEVEL: "info" }));
  console.info(`starts with nothing pending: ${times.map((ms) => Math.round(ms)).join(", ")} ms`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
