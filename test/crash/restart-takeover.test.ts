import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { applyMigrations } from "../../src/tooling/apply-migrations.ts";
import { freshDatabase, type FreshDatabase, type Provider } from "../helpers/fresh-database.ts";
import { PROJECT_ROOT } from "../helpers/npm-start.ts";
import { retryUntil } from "../helpers/retry-until.ts";
import { spawnServerProcess, type SpawnedServer } from "../helpers/start-server-process.ts";
import { createScenarioOrder, findRunByKey, getRun, readOrder, readStock, sendCheckout } from "./checkout-client.ts";
import { checkoutViolations } from "./checkout-invariants.ts";
import { CRASH_SERVER } from "./crash-harness.ts";
import { readProviderRecords } from "./provider-records.ts";

/** The default lease: a restart that waited it out would need this long before the run could move. */
const LEASE_MS = 30_000;

const spawned: SpawnedServer[] = [];
const databases: FreshDatabase[] = [];

afterAll(async () => {
  await Promise.all(spawned.map((server) => server.kill()));
  await Promise.all(databases.map((database) => database.remove()));
});

function spawnServer(database: FreshDatabase): SpawnedServer {
  // The recovery interval is longer than the test: only the pass at start can take the run over.
  const env = {
    DATABASE_URL: database.url,
    DATA_DIR: database.dataDir,
    CHECKOUT_SLOW_CARD_MS: "1500",
    SAGAQL_LEASE_MS: String(LEASE_MS),
    SAGAQL_RECOVERY_INTERVAL_MS: "600000",
  };
  const server = spawnServerProcess(CRASH_SERVER, env, { held: true });
  spawned.push(server);
  return server;
}

describe.each<Provider>(["sqlite", "postgresql"])("a single instance SIGKILLed and restarted (%s)", (provider) => {
  it("takes its runs over at once, without waiting out their lease: a resent key gets the outcome right away", async () => {
    const database = await freshDatabase(provider);
    databases.push(database);
    await applyMigrations({
      url: database.url,
      schemaPath: join(PROJECT_ROOT, `prisma/${provider}/schema.prisma`),
      cwd: PROJECT_ROOT,
    });
    const first = await spawnServer(database).ready();
    // Loaded while the first one serves; started the moment it died, as a supervisor would restart it.
    const restart = spawnServer(database);
    const order = await createScenarioOrder(first.graphqlUrl);
    const key = `restart:${crypto.randomUUID()}`;
    const reply = sendCheckout(first.graphqlUrl, order.orderId, "pm_card_slow", key).catch(() => "connection lost");
    const run = await retryUntil(
      async () => {
        const found = await findRunByKey(first.graphqlUrl, key);
        return found?.steps.find((s) => s.name === "charge-payment")?.status === "RUNNING" ? found : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 50, what: "charge-payment to be running" },
    );
    await first.kill();
    expect(await reply).toBe("connection lost");

    const second = await restart.ready();
    const answeringAt = Date.now();
    const resent = await sendCheckout(second.graphqlUrl, order.orderId, "pm_card_slow", key);
    const settledMs = Date.now() - answeringAt;

    expect(resent).toMatchObject({ __typename: "StepFailedError", failedRunId: run.id });
    // Far below the lease: waiting it out would have taken LEASE_MS at least.
    expect(settledMs).toBeLessThan(LEASE_MS / 3);
    const takeover = second.logs().find((line) => line.msg === "recovered an interrupted run" && line.runId === run.id);
    expect(takeover).toMatchObject({ status: "COMPENSATED", takeovers: 1 });
    const ended = (await getRun(second.graphqlUrl, run.id))!;
    const facts = {
      scenario: order,
      run: ended,
      order: await readOrder(second.graphqlUrl, order.orderId),
      stock: await readStock(second.graphqlUrl, order.sku),
      providers: readProviderRecords(database.dataDir),
    };
    expect(checkoutViolations(facts)).toEqual([]);
    console.log(
      `${provider}: the restarted server answered the resent key with the run's outcome ${settledMs} ms after it was ready (lease ${LEASE_MS} ms)`,
    );
  }, 120_000);
});
