import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Provider } from "../helpers/fresh-database.ts";
import { CrashHarness, type ScenarioReport } from "./crash-harness.ts";
import { formatCrashPoint } from "./crash-point.ts";
import { JOURNAL_CRASHES } from "./crash-scenarios.ts";

/**
 * A real server process is SIGKILLed at every boundary of the checkout's journal, in the middle
 * of a slow step and of a compensation; the next process recovers the run, and the invariants must hold.
 * SQLite and PostgreSQL run side by side (each crash point is one test per database, the two concurrent).
 */
const PROVIDERS: readonly Provider[] = ["sqlite", "postgresql"];
const LABEL: Record<Provider, string> = { sqlite: "SQLite", postgresql: "PostgreSQL" };

const harnesses = new Map<Provider, CrashHarness>();
const reports: Array<{ provider: Provider; name: string; report: ScenarioReport }> = [];
const suiteStarted = performance.now();

function harness(provider: Provider): CrashHarness {
  const found = harnesses.get(provider);
  if (!found) throw new Error(`the ${provider} harness did not open`);
  return found;
}

function expectInvariants(provider: Provider, name: string, report: ScenarioReport): void {
  reports.push({ provider, name, report });
  expect(
    report.violations,
    `${LABEL[provider]}: ${name}${report.sameAs ? ` (same write as ${report.sameAs})` : ""}`,
  ).toEqual([]);
}

beforeAll(async () => {
  const opened = await Promise.allSettled(
    PROVIDERS.map(async (provider) => harnesses.set(provider, await CrashHarness.open(provider))),
  );
  const failed = opened.find((result) => result.status === "rejected");
  if (failed) throw failed.reason;
}, 180_000);

afterAll(async () => {
  await Promise.all([...harnesses.values()].map((h) => h.close()));
  const distinct = reports.filter((r) => !r.report.sameAs);
  console.info(
    `crash suite: ${reports.length} crash scenarios (${distinct.length} distinct process deaths) in ${Math.round((performance.now() - suiteStarted) / 1000)} s\n` +
      distinct
        .map(
          (r) =>
            `  ${LABEL[r.provider]} ${r.name}: ${r.report.outcome} in ${r.report.ms} ms (restart ${r.report.restartMs ?? 0}, settle ${r.report.settleMs ?? 0})${r.report.crashedWrite ? ` [${r.report.crashedWrite.join(", ")}]` : ""}`,
        )
        .join("\n"),
  );
}, 60_000);

describe("a checkout whose server is SIGKILLed at a journal write ends COMPLETED or COMPENSATED, with nothing done twice", () => {
  for (const crash of JOURNAL_CRASHES) {
    const name = `${crash.path}: ${formatCrashPoint(crash.point).replaceAll(":", " ")}`;
    describe(name, () => {
      for (const provider of PROVIDERS) {
        it.concurrent(
          `on ${LABEL[provider]}`,
          async () => {
            expectInvariants(provider, name, await harness(provider).crashAtJournalWrite(crash));
          },
          90_000,
        );
      }
    });
  }
});

describe("a checkout whose server is SIGKILLed while the slow card is being charged is compensated after the restart", () => {
  for (const provider of PROVIDERS) {
    it.concurrent(
      `on ${LABEL[provider]}`,
      async () => {
        expectInvariants(
          provider,
          "killed during charge-payment",
          await harness(provider).killDuringStep("charge-payment"),
        );
      },
      90_000,
    );
  }
});

describe("a checkout whose recovery is SIGKILLed in the middle of its compensation is compensated by the next process, the charge refunded once", () => {
  for (const provider of PROVIDERS) {
    it.concurrent(
      `on ${LABEL[provider]}`,
      async () => {
        const report = await harness(provider).crashTwice(
          // Killed while the shipment to a refused country is asked: recovery asks again, is refused, and compensates.
          { path: "fails at shipping", point: { when: "after", event: "step-started", step: "create-shipment" } },
          { when: "after", event: "compensation-started", step: "charge-payment" },
        );
        expectInvariants(provider, "recovery killed after compensation-started charge-payment", report);
      },
      90_000,
    );
  }
});

for (const when of ["before", "after"] as const) {
  const outcome = when === "after" ? "is cancelled by the next process" : "is compensated: no cancel was journaled";
  describe(`a checkout cancelled while the slow card is charged, whose server is SIGKILLed ${when} the cancel's journal write, ${outcome}`, () => {
    for (const provider of PROVIDERS) {
      it.concurrent(
        `on ${LABEL[provider]}`,
        async () => {
          expectInvariants(
            provider,
            `crashed ${when} run-cancel-requested`,
            await harness(provider).crashAtCancel(when),
          );
        },
        90_000,
      );
    }
  });
}

describe("on PostgreSQL, terminating every connection of the app database while the slow card is charged", () => {
  const cases = [
    { path: "succeeds", shippingCountry: "US", clean: "COMPLETED" },
    { path: "fails at shipping", shippingCountry: "XX", clean: "COMPENSATED" },
  ] as const;
  for (const { path, shippingCountry, clean } of cases) {
    it(`ends a checkout that ${path} ${clean}, as a clean run ends, and the server lives on`, async () => {
      const report = await harness("postgresql").terminateConnectionsDuringStep(
        "charge-payment",
        shippingCountry,
        clean,
      );
      expect(report.terminated).toBeGreaterThan(0);
      expectInvariants("postgresql", `connections terminated during charge-payment (${path})`, report);
    }, 90_000);
  }
});

describe("after every crash", () => {
  for (const provider of PROVIDERS) {
    it.concurrent(
      `no run is left unfinished and every charge is kept or refunded as its run ended, on ${LABEL[provider]}`,
      async () => {
        expect(await harness(provider).wholeJournalViolations()).toEqual([]);
      },
    );
  }
});
