import { afterEach, describe, expect, it } from "vitest";
import { freshDatabase, type FreshDatabase } from "../helpers/fresh-database.ts";
import { postGraphQL } from "../helpers/graphql-request.ts";
import { startNpm, type StartedProcess } from "../helpers/npm-start.ts";

const SLOW_CARD_MS = 1500;

interface Product {
  sku: string;
  stock: number;
}

/** How the test stops the server: SIGTERM to npm (an orchestrator), or SIGINT to the whole process group (Ctrl-C). */
type Stop = "SIGTERM to npm" | "SIGINT to the process group";

/** Starts `npm start`, checks it serves the seeded example, then stops it in the middle of a slow checkout. */
async function exerciseNpmStart(databaseUrl: string, dataDir: string, stop: Stop): Promise<void> {
  const started = performance.now();
  const app: StartedProcess = startNpm({
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    LOG_LEVEL: "debug",
    CHECKOUT_SLOW_CARD_MS: String(SLOW_CARD_MS),
  });
  try {
    const ready = await app.waitForLog((line) => line.msg === "checkout example ready", "the server to be ready");
    console.info(`npm start ready in ${Math.round(performance.now() - started)} ms (${databaseUrl.split(":")[0]})`);
    const graphqlUrl = String(ready.url);
    await app.waitForOutput(`GraphiQL: ${graphqlUrl}`);
    expect((await fetch(graphqlUrl.replace("/graphql", "/health"))).status).toBe(200);

    const products = await postGraphQL<{ products: Product[] }>(
      graphqlUrl,
      "{ products(orderBy: { sku: ASC }) { sku stock } }",
    );
    expect(products.body.data?.products.map((p) => p.sku)).toEqual(["CB-001", "KB-001", "MN-001", "MS-001"]);

    // The customer header the banner prints, pasted as a new user would.
    await app.waitForOutput("admin:");
    const customer = JSON.parse(/customer cus_demo_1:\n\s*(\{.*\})/.exec(app.output())![1]!) as {
      Authorization: string;
    };
    const created = await postGraphQL<{ orderCreate: { id: string; total: number } }>(
      graphqlUrl,
      "mutation($items: String!) { orderCreate(data: { items: $items }) { id total } }",
      {
        items: JSON.stringify([{ sku: "MS-001", quantity: 1 }]),
      },
      customer,
    );
    expect(created.body.data!.orderCreate.total).toBe(29.5);
    const orderId = created.body.data!.orderCreate.id;
    const checkout = postGraphQL<{ orderCheckout: { __typename: string; order: { status: string } } }>(
      graphqlUrl,
      `mutation($id: ID!) { orderCheckout(id: $id, input: { paymentMethodId: "pm_card_slow" }) {
         __typename ... on OrderCheckoutSuccess { order { status } } } }`,
      { id: orderId },
      { "x-request-id": "slow-checkout", ...customer },
    );
    await app.waitForLog(
      (line) => line.msg === "request received" && line.reqId === "slow-checkout",
      "the slow checkout to arrive",
    );
    const signalled = performance.now();
    if (stop === "SIGTERM to npm") app.child.kill("SIGTERM");
    else process.kill(-app.child.pid!, "SIGINT");

    const response = await checkout;
    expect(response.body.data?.orderCheckout).toEqual({
      __typename: "OrderCheckoutSuccess",
      order: { status: "completed" },
    });
    expect(await app.exited).toBe(0);
    console.info(`shut down ${Math.round(performance.now() - signalled)} ms after ${stop}, slow checkout included`);
    const messages = app.logs().map((line) => line.msg);
    expect(messages.indexOf("request completed")).toBeLessThan(messages.indexOf("shut down"));
    expect(messages).toContain("shut down");
  } finally {
    if (app.child.exitCode === null) process.kill(-app.child.pid!, "SIGKILL");
  }
}

describe("npm start", () => {
  let database: FreshDatabase | undefined;
  afterEach(async () => {
    await database?.remove();
    database = undefined;
  });

  it("serves the seeded example on SQLite and, on Ctrl-C, finishes the checkout in flight and exits 0", async () => {
    database = await freshDatabase("sqlite");
    await exerciseNpmStart(database.url, database.dataDir, "SIGINT to the process group");
  }, 90_000);

  it("serves it on a fresh PostgreSQL database and, on SIGTERM, finishes the checkout in flight and exits 0", async () => {
    database = await freshDatabase("postgresql");
    await exerciseNpmStart(database.url, database.dataDir, "SIGTERM to npm");
  }, 90_000);
});
