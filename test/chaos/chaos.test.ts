import { describe, expect, it } from "vitest";
import type { Provider } from "../helpers/fresh-database.ts";
import { runChaos } from "./chaos-run.ts";

/**
 * The short chaos run of `npm test`: two rounds per database, each with a SIGKILL at a seeded moment and the
 * database's own fault (connection terminations on PostgreSQL, a held write lock on SQLite) under 12 concurrent
 * checkouts of every card and country, some of them cancelled at seeded moments. `SAGAQL_CHAOS_SEED` replays another scenario; the longer run is
 * `npm run chaos -- --seed N --rounds M`.
 */
const SEED = Number(process.env.SAGAQL_CHAOS_SEED ?? 20261203);

describe.each<Provider>(["sqlite", "postgresql"])("chaos (%s)", (provider) => {
  it(`keeps every invariant through SIGKILLs and database faults (seed ${SEED})`, async () => {
    const report = await runChaos({ provider, seed: SEED, rounds: 2, checkoutsPerRound: 12 });
    console.log(`chaos ${provider}: ${JSON.stringify({ ...report, violations: report.violations.length })}`);
    expect(report.violations).toEqual([]);
    expect(report.sigkills).toBe(2);
    expect(report.checkouts).toBe(24);
    expect(report.resent).toBeGreaterThan(0);
    expect(report.cancels).toBeGreaterThan(0);
    expect(provider === "postgresql" ? report.connectionKills : report.lockHolds).toBeGreaterThan(0);
  }, 300_000);
});
