/**
 * Startup: `npm start` from spawn to its first GraphQL answer, on a database that has every migration already (the
 * common case: every start after the first), against a bare graphql-yoga server launched the same way (npm, node,
 * tsx; `bench/start/bare-yoga-server.ts`) as the baseline, in the same run.
 *
 * One start migrates a fresh database first and is not counted. Then `BENCH_STARTS` rounds (default 5) each time
 * one start of either, alternating which goes first, so that the machine's load hits both alike. Each start is
 * timed from spawn until `{ __typename }` answers over HTTP, polled every few ms on a port chosen beforehand, the
 * same way for both. `DATABASE_URL` picks the database (default: a SQLite file in a temp folder, deleted afterwards).
 *
 * The RESULT ratio is baseline ÷ ours (medians); its target is what the ratio is when `npm start` takes exactly the
 * absolute budget (2 s), so the ratio meets its target exactly when the start is within budget.
 *
 *     npm run bench:start
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNpm } from "../test/helpers/npm-start.ts";

const STARTS = Number(process.env.BENCH_STARTS ?? 5);
const BUDGET_MS = 2_000;
const POLL_MS = 5;

/** A port nothing listens on right now, for the next start. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** True once the server at `url` answers a GraphQL query; false while nothing listens yet. */
async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"query":"{ __typename }"}',
    });
    const body = (await response.json()) as { data?: { __typename?: string } };
    return response.status === 200 && body.data?.__typename === "Query";
  } catch {
    return false;
  }
}

/** Starts `script` with `env`, waits for its first answer, stops it; the time from spawn to the answer, in ms. */
async function timeOneStart(script: string, env: Record<string, string>): Promise<number> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/graphql`;
  const started = performance.now();
  const app = startNpm({ ...env, PORT: String(port), HOST: "127.0.0.1" }, { script });
  let ended = false;
  void app.exited.then(() => (ended = true));
  try {
    while (!(await answers(url))) {
      if (ended) throw new Error(`${script} exited before answering:\n${app.output()}`);
      if (performance.now() - started > 60_000)
        throw new Error(`${script} did not answer within 60 s:\n${app.output()}`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    return performance.now() - started;
  } finally {
    app.child.kill("SIGTERM");
    await app.exited;
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const list = (values: readonly number[]) => values.map((ms) => Math.round(ms)).join(", ");

const dataDir = mkdtempSync(join(tmpdir(), "sagaql-bench-start-"));
const env = {
  DATABASE_URL: process.env.DATABASE_URL ?? `file:${join(dataDir, "app.db")}`,
  DATA_DIR: dataDir,
  LOG_LEVEL: "warn",
};
try {
  const first = await timeOneStart("start", env);
  console.info(`first npm start (migrates a fresh database; not counted): ${Math.round(first)} ms`);
  const bare: number[] = [];
  const ours: number[] = [];
  for (let round = 0; round < STARTS; round++) {
    if (round % 2 === 0) {
      bare.push(await timeOneStart("bench:start:bare", env));
      ours.push(await timeOneStart("start", env));
    } else {
      ours.push(await timeOneStart("start", env));
      bare.push(await timeOneStart("bench:start:bare", env));
    }
  }
  const b = median(bare);
  const o = median(ours);
  console.info(`bare graphql-yoga (npm, node, tsx): ${Math.round(b)} ms median (${list(bare)})`);
  console.info(`npm start, nothing pending:        ${Math.round(o)} ms median (${list(ours)})`);
  console.info(
    `npm start to first answer: ${(o / 1000).toFixed(2)} s (target ≤ ${BUDGET_MS / 1000} s); ${(o - b).toFixed(0)} ms more than the bare server`,
  );
  console.log(`RESULT startup ratio=${(b / o).toFixed(2)} target=${(b / BUDGET_MS).toFixed(2)}`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
