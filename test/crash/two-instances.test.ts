import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations } from "../../src/tooling/apply-migrations.ts";
import { PostgresRunJournal } from "../../src/persistence/postgres/postgres-run-journal.ts";
import { eventLabel } from "./crash-on-journal-write.ts";
import { freshDatabase, type FreshDatabase } from "../helpers/fresh-database.ts";
import { PROJECT_ROOT } from "../helpers/npm-start.ts";
import { retryUntil } from "../helpers/retry-until.ts";
import { spawnServerProcess, type ServerProcess, type SpawnedServer } from "../helpers/start-server-process.ts";
import {
  cancelCheckoutRun,
  createScenarioOrder,
  findRunByKey,
  readOrder,
  readStock,
  sendCheckout,
  waitForTerminalRun,
} from "./checkout-client.ts";
import { checkoutViolations } from "./checkout-invariants.ts";
import { CRASH_SERVER } from "./crash-harness.ts";
import { readProviderRecords } from "./provider-records.ts";

/**
 * Two real server processes (no fault injected) on one fresh PostgreSQL database, short leases.
 * A run's owner dying hands the run to exactly one other instance; live runs are never taken over.
 */
let database: FreshDatabase;
let journal: PostgresRunJournal;
const servers: ServerProcess[] = [];
const held: SpawnedServer[] = [];

function spawnInstance(): SpawnedServer {
  const spawned = spawnServerProcess(
    CRASH_SERVER,
    {
      DATABASE_URL: database.url,
      DATA_DIR: database.dataDir,
      CHECKOUT_SLOW_CARD_MS: "1500",
      SAGAQL_LEASE_MS: "1000",
      SAGAQL_RECOVERY_INTERVAL_MS: "200",
    },
    { held: true },
  );
  held.push(spawned);
  return spawned;
}

async function startInstance(spawned = spawnInstance()): Promise<ServerProcess> {
  const server = await spawned.ready();
  servers.push(server);
  return server;
}

function recoveriesOf(server: ServerProcess, runId: string): number {
  return server.logs().filter((line) => line.msg === "recovered an interrupted run" && line.runId === runId).length;
}

/** The run's journal, as `type:step` labels: a run executed twice would show events twice. */
async function journalOf(runId: string): Promise<string[]> {
  return (await journal.listEvents({ runId })).map(({ event }) => eventLabel(event));
}

async function checkoutFacts(url: string, order: Awaited<ReturnType<typeof createScenarioOrder>>, runId: string) {
  const run = await waitForTerminalRun(url, runId);
  return {
    scenario: order,
    run,
    order: await readOrder(url, order.orderId),
    stock: await readStock(url, order.sku),
    providers: readProviderRecords(database.dataDir),
  };
}

beforeAll(async () => {
  database = await freshDatabase("postgresql");
  await applyMigrations({
    url: database.url,
    schemaPath: join(PROJECT_ROOT, "prisma/postgresql/schema.prisma"),
    cwd: PROJECT_ROOT,
  });
  // Both load their modules at once; they start one after the other, as a rolling deployment would.
  const [a, b] = [spawnInstance(), spawnInstance()];
  await startInstance(a);
  await startInstance(b);
  journal = await PostgresRunJournal.open({ connectionString: database.url, maxConnections: 2 });
}, 120_000);

afterAll(async () => {
  await journal?.close();
  await Promise.all(held.map((spawned) => spawned.kill()));
  await database?.remove();
});

describe("two server processes sharing one PostgreSQL database", () => {
  it("when the instance running a checkout is SIGKILLed, exactly one other instance takes the run over (at once: its process is provably gone) and compensates it", async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    // A third process, loaded now and started the moment A dies: it competes with B for the run.
    const restartOfA = spawnInstance();
    const order = await createScenarioOrder(a.graphqlUrl);
    const key = `takeover:${crypto.randomUUID()}`;
    const reply = sendCheckout(a.graphqlUrl, order.orderId, "pm_card_slow", key).catch(() => "connection lost");
    const run = await retryUntil(
      async () => {
        const found = await findRunByKey(b.graphqlUrl, key);
        return found?.steps.find((s) => s.name === "charge-payment")?.status === "RUNNING" ? found : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 50, what: "charge-payment to be running on A" },
    );
    await a.kill();
    expect(await reply).toBe("connection lost");
    const a2 = await startInstance(restartOfA);

    const facts = await checkoutFacts(b.graphqlUrl, order, run.id);
    expect(facts.run.status).toBe("COMPENSATED");
    expect(checkoutViolations(facts)).toEqual([]);
    expect(recoveriesOf(b, run.id) + recoveriesOf(a2, run.id)).toBe(1);
    const events = await journalOf(run.id);
    expect(events.filter((e) => e === "run-started")).toHaveLength(1);
    expect(events.filter((e) => e === "compensation-started:charge-payment")).toHaveLength(1);
    expect(events.filter((e) => e === "run-finished")).toHaveLength(1);
  }, 60_000);

  it("with both alive, concurrent checkouts split between them all complete, and no run is taken over", async () => {
    const live = servers.filter((server) => server.child.exitCode === null && server.child.signalCode === null);
    expect(live.length).toBeGreaterThanOrEqual(2);
    const cards = ["pm_card_visa", "pm_card_slow", "pm_card_flaky"];
    const checkouts = await Promise.all(
      Array.from({ length: 18 }, async (_, i) => {
        const server = live[i % live.length]!;
        const order = await createScenarioOrder(server.graphqlUrl);
        const key = `concurrent:${i}:${crypto.randomUUID()}`;
        const reply = await sendCheckout(server.graphqlUrl, order.orderId, cards[i % cards.length]!, key);
        return { order, reply };
      }),
    );
    expect(checkouts.map((c) => c.reply.__typename)).toEqual(checkouts.map(() => "OrderCheckoutSuccess"));
    for (const { order, reply } of checkouts) {
      const facts = await checkoutFacts(live[0]!.graphqlUrl, order, reply.runId!);
      expect(checkoutViolations(facts), `run ${reply.runId}`).toEqual([]);
      expect(facts.run.status).toBe("COMPLETED");
      expect(
        live.reduce((n, server) => n + recoveriesOf(server, reply.runId!), 0),
        `takeovers of run ${reply.runId}`,
      ).toBe(0);
      const events = await journalOf(reply.runId!);
      expect(events.filter((e) => e === "run-started" || e === "run-finished")).toEqual([
        "run-started",
        "run-finished",
      ]);
      expect(events.filter((e) => e === "step-started:charge-payment").length).toBeLessThanOrEqual(2);
    }
  }, 90_000);

  it("a cancel asked on one instance stops the checkout the other one runs, which hears it through LISTEN/NOTIFY", async () => {
    const [owner, other] = servers.filter(
      (server) => server.child.exitCode === null && server.child.signalCode === null,
    ) as [ServerProcess, ServerProcess];
    const order = await createScenarioOrder(owner.graphqlUrl);
    const key = `cancel-elsewhere:${crypto.randomUUID()}`;
    const reply = sendCheckout(owner.graphqlUrl, order.orderId, "pm_card_slow", key);
    const run = await retryUntil(
      async () => {
        const found = await findRunByKey(other.graphqlUrl, key);
        return found?.steps.find((s) => s.name === "charge-payment")?.status === "RUNNING" ? found : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 50, what: "charge-payment to be running" },
    );

    expect(await cancelCheckoutRun(other.graphqlUrl, run.id, "asked elsewhere")).toBe("CANCELLED");

    expect(await reply).toMatchObject({ __typename: "WorkflowCancelledError", failedRunId: run.id });
    const facts = await checkoutFacts(other.graphqlUrl, order, run.id);
    expect(facts.run.status).toBe("CANCELLED");
    expect(checkoutViolations(facts)).toEqual([]);
    expect(servers.reduce((n, server) => n + recoveriesOf(server, run.id), 0)).toBe(0);
    // The cut-off charge was asked again under its key before the compensations: whatever it charged is refunded.
    const charges = readProviderRecords(database.dataDir).charges.filter((c) =>
      c.idempotencyKey.startsWith(`${run.id}:`),
    );
    expect(charges.filter((c) => !c.refunded)).toEqual([]);
  }, 60_000);
});
