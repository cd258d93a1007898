import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Provider } from "../helpers/fresh-database.ts";
import { adminHeaders } from "../helpers/checkout-tokens.ts";
import { postGraphQL } from "../helpers/graphql-request.ts";
import {
  checkout,
  createOrder,
  graphql,
  runningRunOf,
  startInstances,
  type SharedDatabaseInstances,
} from "./run-subscription-fixture.ts";

interface ListedRun {
  id: string;
  status: string;
  workflow: string;
}

describe.each<Provider>(["sqlite", "postgresql"])("workflowRuns(status, workflow, take) on %s", (provider) => {
  let shared: SharedDatabaseInstances;
  let url: string;
  const runs: Record<"completed" | "compensated" | "running", string> = { completed: "", compensated: "", running: "" };
  let slow: Promise<unknown>;

  beforeAll(async () => {
    shared = await startInstances(provider, { slowCardMs: 2500 });
    url = shared.instances[0]!.url;
    const sku = () => `SKU-${randomUUID().slice(0, 8)}`;
    runs.completed = (await checkout(url, await createOrder(url, { sku: sku() }), "pm_card_visa")).runId!;
    runs.compensated = (await checkout(url, await createOrder(url, { sku: sku() }), "pm_card_chargeDeclined")).runId!;
    const slowOrder = await createOrder(url, { sku: sku() });
    slow = checkout(url, slowOrder, "pm_card_slow");
    runs.running = await runningRunOf(url, slowOrder);
  });
  afterAll(async () => {
    await slow;
    await shared?.close();
  });

  const list = async (args = "") =>
    (await graphql<{ workflowRuns: ListedRun[] }>(url, `{ workflowRuns${args} { id status workflow } }`)).workflowRuns;

  it("lists every run newest first, with its status", async () => {
    expect(await list()).toEqual([
      { id: runs.running, status: "RUNNING", workflow: "order.checkout" },
      { id: runs.compensated, status: "COMPENSATED", workflow: "order.checkout" },
      { id: runs.completed, status: "COMPLETED", workflow: "order.checkout" },
    ]);
  });

  it("filters by status, the one still running included", async () => {
    expect((await list("(status: RUNNING)")).map((run) => run.id)).toEqual([runs.running]);
    expect((await list("(status: COMPLETED)")).map((run) => run.id)).toEqual([runs.completed]);
    expect((await list("(status: COMPENSATED)")).map((run) => run.id)).toEqual([runs.compensated]);
    expect(await list("(status: FAILED)")).toEqual([]);
  });

  it("filters by workflow and by status and workflow together", async () => {
    expect(await list(`(workflow: "order.checkout")`)).toHaveLength(3);
    expect(await list(`(workflow: "product.restock")`)).toEqual([]);
    expect((await list(`(status: COMPENSATED, workflow: "order.checkout")`)).map((run) => run.id)).toEqual([
      runs.compensated,
    ]);
  });

  it("returns at most take runs, the newest", async () => {
    expect((await list("(take: 2)")).map((run) => run.id)).toEqual([runs.running, runs.compensated]);
    expect(await list("(take: 0)")).toEqual([]);
  });

  it("refuses a take below 0 or above 200 as BAD_USER_INPUT", async () => {
    for (const take of [-1, 201]) {
      const { body } = await postGraphQL(
        url,
        `query($take: Int) { workflowRuns(take: $take) { id } }`,
        { take },
        adminHeaders(),
      );
      expect(body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    }
  });
});
