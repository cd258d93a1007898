import { randomUUID } from "node:crypto";
import { adminHeaders, customerHeaders } from "../helpers/checkout-tokens.ts";
import { postGraphQL } from "../helpers/graphql-request.ts";
import { retryUntil } from "../helpers/retry-until.ts";

/** One checkout scenario's own product and order, so its stock and order can be checked on their own. */
export interface ScenarioOrder {
  orderId: string;
  sku: string;
  stockBefore: number;
  quantity: number;
  total: number;
}

export interface RunView {
  id: string;
  status: "RUNNING" | "COMPLETED" | "COMPENSATING" | "COMPENSATED" | "FAILED" | "CANCELLED";
  idempotencyKey: string | null;
  resourceId: string | null;
  steps: Array<{ name: string; status: string; attempts: number }>;
}

export interface OrderView {
  status: string;
  chargeId: string | null;
  shipmentId: string | null;
}

export interface CheckoutReply {
  __typename: string;
  runId?: string;
  failedRunId?: string | null;
  replayed?: boolean;
}

const RUN_FIELDS = "id status idempotencyKey resourceId steps { name status attempts }";

/** As the demo customer, who owns the scenarios' orders; products are an admin's to create. */
async function data<T>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = customerHeaders(),
): Promise<T> {
  const response = await postGraphQL<T>(url, query, variables, headers);
  if (response.body.errors?.length || !response.body.data) {
    throw new Error(
      `GraphQL errors (HTTP ${response.status}): ${response.body.errors?.map((e) => e.message).join("; ")}`,
    );
  }
  return response.body.data;
}

/** A product of its own (stock 5) and a pending order of 2 of it. */
export async function createScenarioOrder(url: string, shippingCountry = "US"): Promise<ScenarioOrder> {
  const sku = `CRASH-${randomUUID().slice(0, 8)}`;
  const stockBefore = 5;
  const quantity = 2;
  await data(
    url,
    "mutation($data: ProductCreateInput!) { productCreate(data: $data) { id } }",
    { data: { name: sku, sku, price: 10, stock: stockBefore } },
    adminHeaders(),
  );
  const total = 10 * quantity;
  const created = await data<{ orderCreate: { id: string } }>(
    url,
    "mutation($data: OrderCreateInput!) { orderCreate(data: $data) { id } }",
    {
      data: { items: JSON.stringify([{ sku, quantity }]), total, shippingCountry },
    },
  );
  return { orderId: created.orderCreate.id, sku, stockBefore, quantity, total };
}

/** `orderCheckout`; rejects when the connection dies with the server. */
export async function sendCheckout(
  url: string,
  orderId: string,
  paymentMethodId: string,
  idempotencyKey: string,
): Promise<CheckoutReply> {
  const reply = await data<{ orderCheckout: CheckoutReply }>(
    url,
    `mutation($id: ID!, $input: OrderCheckoutInput!, $key: String) { orderCheckout(id: $id, input: $input, idempotencyKey: $key) {
       __typename ... on OrderCheckoutSuccess { runId replayed } ... on WorkflowError { failedRunId: runId } } }`,
    { id: orderId, input: { paymentMethodId }, key: idempotencyKey },
  );
  return reply.orderCheckout;
}

/** Runs of the checkout workflow, newest first (at most 200). */
/** `workflowRunCancel`; resolves with the run's status, or the refusal's code. */
export async function cancelCheckoutRun(url: string, runId: string, reason: string): Promise<string> {
  // As the order's customer, whom the example lets cancel their own checkout.
  const { body: response } = await postGraphQL<{ workflowRunCancel: { status: string } | null }>(
    url,
    "mutation($id: ID!, $reason: String) { workflowRunCancel(id: $id, reason: $reason) { status } }",
    { id: runId, reason },
    customerHeaders(),
  );
  return (
    response.data?.workflowRunCancel?.status ??
    String(response.errors?.[0]?.extensions?.code ?? response.errors?.[0]?.message)
  );
}

export async function listCheckoutRuns(url: string): Promise<RunView[]> {
  const result = await data<{ workflowRuns: RunView[] }>(
    url,
    `{ workflowRuns(workflow: "order.checkout", take: 200) { ${RUN_FIELDS} } }`,
  );
  return result.workflowRuns;
}

export async function findRunByKey(url: string, idempotencyKey: string): Promise<RunView | undefined> {
  return (await listCheckoutRuns(url)).find((run) => run.idempotencyKey === idempotencyKey);
}

export async function getRun(url: string, runId: string): Promise<RunView | null> {
  const result = await data<{ workflowRun: RunView | null }>(
    url,
    `query($id: ID!) { workflowRun(id: $id) { ${RUN_FIELDS} } }`,
    { id: runId },
  );
  return result.workflowRun;
}

/** Waits until the run is COMPLETED, COMPENSATED or FAILED (recovery included). */
export function waitForTerminalRun(url: string, runId: string, timeoutMs = 30_000): Promise<RunView> {
  return retryUntil(
    async () => {
      const run = await getRun(url, runId);
      return run && run.status !== "RUNNING" && run.status !== "COMPENSATING" ? run : undefined;
    },
    { timeoutMs, intervalMs: 100, what: `run ${runId} to end` },
  );
}

export async function readOrder(url: string, orderId: string): Promise<OrderView> {
  const result = await data<{ order: OrderView | null }>(
    url,
    "query($id: ID!) { order(id: $id) { status chargeId shipmentId } }",
    { id: orderId },
  );
  if (!result.order) throw new Error(`order ${orderId} is gone`);
  return result.order;
}

export async function readStock(url: string, sku: string): Promise<number> {
  const result = await data<{ products: Array<{ stock: number }> }>(
    url,
    "query($sku: String!) { products(where: { sku: { equals: $sku } }) { stock } }",
    { sku },
  );
  if (result.products.length !== 1) throw new Error(`expected one product ${sku}, found ${result.products.length}`);
  return result.products[0]!.stock;
}

export async function readAllStock(url: string): Promise<Record<string, number>> {
  const result = await data<{ products: Array<{ sku: string; stock: number }> }>(
    url,
    "{ products(take: 200) { sku stock } }",
  );
  return Object.fromEntries(result.products.map((p) => [p.sku, p.stock]));
}
