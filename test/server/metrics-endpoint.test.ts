import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations } from "../../src/tooling/apply-migrations.ts";
import { createScenarioOrder, sendCheckout } from "../crash/checkout-client.ts";
import { CRASH_SERVER } from "../crash/crash-harness.ts";
import { freshDatabase, type FreshDatabase, type Provider } from "../helpers/fresh-database.ts";
import { PROJECT_ROOT } from "../helpers/npm-start.ts";
import { spawnServerProcess, type ServerProcess } from "../helpers/start-server-process.ts";

/** `name{labels} value` lines of the Prometheus text format, by series. */
function parse(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const cut = line.lastIndexOf(" ");
    series.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return series;
}

describe.each<Provider>(["sqlite", "postgresql"])("GET /metrics (%s)", (provider) => {
  let database: FreshDatabase;
  let server: ServerProcess;

  beforeAll(async () => {
    database = await freshDatabase(provider);
    await applyMigrations({
      url: database.url,
      schemaPath: join(PROJECT_ROOT, `prisma/${provider}/schema.prisma`),
      cwd: PROJECT_ROOT,
    });
    server = await spawnServerProcess(CRASH_SERVER, { DATABASE_URL: database.url, DATA_DIR: database.dataDir }).ready();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await database?.remove();
  });

  it("counts runs by outcome, steps, compensations and journal writes, with the server's HTTP and GraphQL metrics", async () => {
    const url = new URL(server.graphqlUrl);
    const paid = await createScenarioOrder(url.href);
    const declined = await createScenarioOrder(url.href);
    expect(
      (await sendCheckout(url.href, paid.orderId, "pm_card_visa", `metrics-${crypto.randomUUID()}`)).__typename,
    ).toBe("OrderCheckoutSuccess");
    expect(
      (await sendCheckout(url.href, declined.orderId, "pm_card_chargeDeclined", `metrics-${crypto.randomUUID()}`))
        .__typename,
    ).toBe("StepFailedError");

    const response = await fetch(new URL("/metrics", url));
    const text = await response.text();
    const started = performance.now();
    for (let i = 0; i < 20; i++) await (await fetch(new URL("/metrics", url))).text();
    const scrapeMs = (performance.now() - started) / 20;

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const series = parse(text);
    const checkout = 'workflow="order.checkout"';
    expect(series.get(`sagaql_runs_started_total{${checkout}}`)).toBe(2);
    expect(series.get(`sagaql_runs_ended_total{${checkout},status="COMPLETED"}`)).toBe(1);
    expect(series.get(`sagaql_runs_ended_total{${checkout},status="COMPENSATED"}`)).toBe(1);
    expect(series.get(`sagaql_step_attempts_total{${checkout},step="charge-payment"}`)).toBe(2);
    expect(series.get(`sagaql_step_duration_seconds_count{${checkout},step="charge-payment",outcome="failed"}`)).toBe(
      1,
    );
    expect(series.get(`sagaql_compensations_total{${checkout},step="reserve-inventory",outcome="rolled_back"}`)).toBe(
      1,
    );
    expect([...series.keys()].some((key) => key.startsWith("sagaql_journal_write_seconds_count"))).toBe(true);
    expect(series.get('sagaql_http_requests_total{method="POST",path="/graphql",status="200"}')).toBeGreaterThanOrEqual(
      6,
    );
    expect([...series.keys()].some((key) => key.startsWith("graphql_envelop_request_duration_count"))).toBe(true);
    expect(text).not.toContain(paid.orderId);
    console.log(
      `${provider}: /metrics is ${text.length} bytes, ${series.size} series, ${scrapeMs.toFixed(2)} ms a scrape`,
    );
  }, 60_000);
});
