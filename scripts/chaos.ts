/**
 * `npm run chaos -- --seed N --rounds M [--checkouts K] [--provider sqlite|postgresql|both]`: the chaos suite's
 * longer run. Prints the seed (a random one unless given, so every run explores a new scenario that can be
 * replayed), the counts of each database's run and every violation; exits 1 when any invariant broke.
 */
import { parseArgs } from "node:util";
import { runChaos, type ChaosReport } from "../test/chaos/chaos-run.ts";
import type { Provider } from "../test/helpers/fresh-database.ts";

const { values } = parseArgs({
  options: {
    seed: { type: "string" },
    rounds: { type: "string", default: "5" },
    checkouts: { type: "string", default: "16" },
    provider: { type: "string", default: "both" },
  },
});
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const rounds = Number(values.rounds);
const checkoutsPerRound = Number(values.checkouts);
if (
  !Number.isInteger(seed) ||
  !Number.isInteger(rounds) ||
  rounds < 1 ||
  !Number.isInteger(checkoutsPerRound) ||
  checkoutsPerRound < 1
) {
  console.error("usage: npm run chaos -- [--seed N] [--rounds M] [--checkouts K] [--provider sqlite|postgresql|both]");
  process.exit(2);
}
const providers: Provider[] = values.provider === "both" ? ["sqlite", "postgresql"] : [values.provider as Provider];
console.log(`chaos: seed ${seed}, ${rounds} rounds of ${checkoutsPerRound} checkouts on ${providers.join(" and ")}`);

let broken = 0;
for (const provider of providers) {
  const report = await runChaos({
    provider,
    seed,
    rounds,
    checkoutsPerRound,
    log: (line) => console.log(`  ${provider} ${line}`),
  });
  print(report);
  broken += report.violations.length;
}
process.exit(broken === 0 ? 0 : 1);

function print(report: ChaosReport): void {
  const { provider, checkouts, outcomes, sigkills, connectionKills, lockHolds, lostReplies, resent, violations, ms } =
    report;
  console.log(
    `${provider}: ${checkouts} checkouts in ${(ms / 1000).toFixed(1)} s — outcomes ${JSON.stringify(outcomes)}; ${sigkills} SIGKILLs, ${connectionKills} connections terminated, ${lockHolds} lock holds; ${lostReplies} replies lost with a killed server; ${resent} keys resent`,
  );
  console.log(`${provider}: ${violations.length === 0 ? "every invariant held" : `${violations.length} violations:`}`);
  for (const violation of violations) console.log(`  - ${violation}`);
  if (violations.length > 0) for (const line of report.serverErrors) console.log(`  server: ${JSON.stringify(line)}`);
}
