/**
 * The served checkout example's access rules, over real HTTP with real tokens: who may read and change what.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/server/create-logger.ts";
import { CapturedLogs } from "../helpers/captured-logs.ts";
import {
  adminHeaders,
  bearer,
  CUSTOMER_A,
  CUSTOMER_B,
  customerHeaders,
  expiredToken,
} from "../helpers/checkout-tokens.ts";
import { freshDatabase, type FreshDatabase, type Provider } from "../helpers/fresh-database.ts";
import { postGraphQL, type GraphQLResponse } from "../helpers/graphql-request.ts";
import { serveCheckout, type RunningCheckout } from "../helpers/serve-checkout.ts";

const ANONYMOUS = {};
const ITEMS = JSON.stringify([{ sku: "KB-001", quantity: 2 }]); // 2 × 79
const CREATE = `mutation ($data: OrderCreateInput!) { orderCreate(data: $data) { id total status customerId } }`;
const CHECKOUT = `mutation ($id: ID!) { orderCheckout(id: $id, input: { paymentMethodId: "pm_card_visa" }) { __typename ... on WorkflowError { code runId } ... on OrderCheckoutSuccess { runId } } }`;

describe.each<Provider>(["sqlite", "postgresql"])("the checkout example's access rules (%s)", (provider) => {
  let database: FreshDatabase;
  let running: RunningCheckout;
  const gql = <T = Record<string, any>>(
    headers: Record<string, string>,
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<GraphQLResponse<T>> => postGraphQL<T>(running.address.graphqlUrl, query, variables, headers);
  const codes = (response: GraphQLResponse) => response.body.errors?.map((error) => error.extensions?.code);
  const orderOf = async (customer: string) =>
    (await gql(customerHeaders(customer), CREATE, { data: { items: ITEMS } })).body.data!.orderCreate;

  beforeAll(async () => {
    database = await freshDatabase(provider);
    const logger = createLogger({ level: "warn", destination: new CapturedLogs() });
    running = await serveCheckout({
      databaseUrl: database.url,
      dataDir: database.dataDir,
      logger,
      graphiql: false,
      slowCardMs: 10,
    });
  }, 60_000);
  afterAll(async () => {
    await running?.close();
    await database?.remove();
  });

  it("shows an anonymous caller the products, and no orders, customers or runs", async () => {
    const order = await orderOf(CUSTOMER_A);
    const runId = (await gql(customerHeaders(CUSTOMER_A), CHECKOUT, { id: order.id })).body.data!.orderCheckout.runId;
    const { body } = await gql(
      ANONYMOUS,
      `query ($id: ID!, $run: ID!) { products { sku } orders { id } order(id: $id) { id } customers { id } workflowRuns { id } workflowRun(id: $run) { id } }`,
      { id: order.id, run: runId },
    );
    expect(body.data!.products.length).toBeGreaterThan(0);
    expect(body.data).toMatchObject({ orders: [], order: null, customers: [], workflowRuns: [], workflowRun: null });
    expect(codes(await gql(ANONYMOUS, CREATE, { data: { items: ITEMS } }))).toEqual(["FORBIDDEN"]);
  });

  it("makes a customer's new order their own, totalled by the server, readable through their customer row", async () => {
    const order = await orderOf(CUSTOMER_A);
    expect(order).toMatchObject({ total: 158, status: "pending", customerId: CUSTOMER_A });
    const { body } = await gql(
      customerHeaders(CUSTOMER_A),
      `query ($id: ID!) { customer(id: $id) { id orders { id status total } } customers { id } }`,
      { id: CUSTOMER_A },
    );
    expect(body.data!.customer.orders).toContainEqual({ id: order.id, status: "pending", total: 158 });
    expect(body.data!.customers).toEqual([{ id: CUSTOMER_A }]);
    expect((await gql(customerHeaders(CUSTOMER_A), `{ customer(id: "${CUSTOMER_B}") { id } }`)).body.data).toEqual({
      customer: null,
    });
  });

  it("keeps customer B from reading, checking out or seeing the runs of customer A's order, changing nothing", async () => {
    const order = await orderOf(CUSTOMER_A);
    const b = customerHeaders(CUSTOMER_B);
    expect(
      (await gql(b, `query ($id: ID!) { order(id: $id) { id } orders { id } }`, { id: order.id })).body.data,
    ).toEqual({ order: null, orders: [] });
    expect((await gql(b, CHECKOUT, { id: order.id })).body.data!.orderCheckout).toMatchObject({
      __typename: "ForbiddenError",
      code: "FORBIDDEN",
      runId: null,
    });
    const own = (await gql(customerHeaders(CUSTOMER_A), CHECKOUT, { id: order.id })).body.data!.orderCheckout;
    expect(own.__typename).toBe("OrderCheckoutSuccess");
    const runs = await gql(b, `query ($id: ID!) { workflowRun(id: $id) { id } workflowRuns { id } }`, {
      id: own.runId,
    });
    expect(runs.body.data!.workflowRun).toBeNull();
    expect(runs.body.data!.workflowRuns.map((run: { id: string }) => run.id)).not.toContain(own.runId);
    const seen = await gql(
      adminHeaders(),
      `query ($id: ID!) { order(id: $id) { status customerId } workflowRun(id: "${own.runId}") { id } }`,
      { id: order.id },
    );
    expect(seen.body.data).toEqual({
      order: { status: "completed", customerId: CUSTOMER_A },
      workflowRun: { id: own.runId },
    });
    const listed = await gql(adminHeaders(), `{ workflowRuns(take: 100) { id } }`);
    expect(listed.body.data!.workflowRuns.map((run: { id: string }) => run.id)).toContain(own.runId);
  });

  it("lets a customer cancel their own order's run but not retry or resume it; another customer's run is unknown to them", async () => {
    const order = await orderOf(CUSTOMER_A);
    const runId = (await gql(customerHeaders(CUSTOMER_A), CHECKOUT, { id: order.id })).body.data!.orderCheckout.runId;
    const control = (headers: Record<string, string>, operation: string) =>
      gql(headers, `mutation ($id: ID!) { workflowRun${operation}(id: $id, reason: "test") { id status } }`, {
        id: runId,
      });
    // The customer's cancel is allowed, and the run (already COMPLETED) says it changes nothing.
    expect(codes(await control(customerHeaders(CUSTOMER_A), "Cancel"))).toEqual(["RUN_ALREADY_ENDED"]);
    expect(codes(await control(customerHeaders(CUSTOMER_A), "Retry"))).toEqual(["FORBIDDEN"]);
    expect(codes(await control(customerHeaders(CUSTOMER_A), "Resume"))).toEqual(["FORBIDDEN"]);
    for (const operation of ["Cancel", "Retry", "Resume"]) {
      expect(codes(await control(customerHeaders(CUSTOMER_B), operation))).toEqual(["RUN_NOT_FOUND"]);
      expect(codes(await control(ANONYMOUS, operation))).toEqual(["RUN_NOT_FOUND"]);
    }
    // An admin may ask all three; the run's state, not the rule, refuses them here.
    expect(codes(await control(adminHeaders(), "Retry"))).toEqual(["RUN_NOT_RETRYABLE"]);
    expect(codes(await control(adminHeaders(), "Resume"))).toEqual(["RUN_NOT_PARKED"]);
    const run = await gql(adminHeaders(), `query ($id: ID!) { workflowRun(id: $id) { status cancelRequest { by } } }`, {
      id: runId,
    });
    expect(run.body.data!.workflowRun).toEqual({ status: "COMPLETED", cancelRequest: null });
  });

  it("refuses a client-sent total that is not the server's with BAD_USER_INPUT, and accepts the right one", async () => {
    const wrong = await gql(customerHeaders(), CREATE, { data: { items: ITEMS, total: 1 } });
    expect(codes(wrong)).toEqual(["BAD_USER_INPUT"]);
    expect(wrong.body.errors![0]!.message).toContain("158");
    expect(
      (await gql(customerHeaders(), CREATE, { data: { items: ITEMS, total: 158 } })).body.data!.orderCreate.total,
    ).toBe(158);
  });

  it("refuses status and chargeId from a client: only the checkout's steps write them", async () => {
    for (const field of ['status: "completed"', 'chargeId: "ch_free"']) {
      const response = await gql(
        adminHeaders(),
        `mutation { orderCreate(data: { items: ${JSON.stringify(ITEMS)}, ${field} }) { id } }`,
      );
      expect(response.body.data ?? null).toBeNull();
      expect(codes(response)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    }
  });

  it("refuses a customer's productUpdate with FORBIDDEN, and an admin's negative stock with BAD_USER_INPUT, leaving the product unchanged", async () => {
    const product = (await gql(ANONYMOUS, `{ products(where: { sku: { equals: "MS-001" } }) { id stock price } }`)).body
      .data!.products[0];
    const update = (headers: Record<string, string>, data: Record<string, unknown>) =>
      gql(
        headers,
        `mutation ($id: ID!, $data: ProductUpdateInput!) { productUpdate(id: $id, data: $data) { stock } }`,
        { id: product.id, data },
      );
    expect(codes(await update(customerHeaders(), { stock: 1000, price: 0 }))).toEqual(["FORBIDDEN"]);
    expect(codes(await update(adminHeaders(), { stock: -1 }))).toEqual(["BAD_USER_INPUT"]);
    expect(
      (await gql(ANONYMOUS, `{ products(where: { sku: { equals: "MS-001" } }) { id stock price } }`)).body.data!
        .products[0],
    ).toEqual(product);
    expect((await update(adminHeaders(), { stock: product.stock + 1 })).body.data).toEqual({
      productUpdate: { stock: product.stock + 1 },
    });
  });

  it("answers an expired or badly signed token with UNAUTHENTICATED and HTTP 401, and runs nothing", async () => {
    const before = (await gql(adminHeaders(), `{ orders { id } }`)).body.data!.orders.length;
    for (const token of [expiredToken(), `${expiredToken().slice(0, -4)}AAAA`]) {
      const response = await gql(bearer(token), CREATE, { data: { items: ITEMS } });
      expect(response.status).toBe(401);
      expect(codes(response)).toEqual(["UNAUTHENTICATED"]);
    }
    expect((await gql(adminHeaders(), `{ orders { id } }`)).body.data!.orders.length).toBe(before);
  });
});
