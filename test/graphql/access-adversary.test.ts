/**
 * Attacks on the access rules through the API, on SQLite and PostgreSQL: each one tries to reach another
 * customer's rows or runs by a route other than the plain read, and checks the answer and the database after.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { ruleWhere } from "../../src/action/rule-where.ts";
import { order, type Caller } from "../fixtures/access-entities.ts";
import type { Provider } from "../helpers/fresh-database.ts";
import { createAccessFixture, type AccessFixture } from "./access-fixture.ts";

const alice: Caller = { sub: "alice", role: "customer" };
const bob: Caller = { sub: "bob", role: "customer" };
const admin: Caller = { sub: "root", role: "admin" };

const CHECKOUT = /* GraphQL */ `
  mutation ($id: ID!, $key: String) {
    orderCheckout(id: $id, idempotencyKey: $key) {
      __typename
      ... on OrderCheckoutSuccess {
        runId
        order {
          id
          customerId
          status
        }
      }
      ... on WorkflowError {
        code
        message
        runId
      }
    }
  }
`;

describe.each<Provider>(["sqlite", "postgresql"])("access rules under attack on %s", (provider) => {
  let app: AccessFixture;
  beforeEach(async () => {
    app = await createAccessFixture(provider);
    await app.prisma.product.create({ data: { name: "Lamp", sku: "LAMP", price: 12.5, stock: 10 } });
  });
  afterEach(() => app?.close());

  const orderOf = async (customerId: string | null, extra: { status?: string; note?: string } = {}) =>
    (
      await app.prisma.order.create({
        data: { customerId, items: '[{"sku":"LAMP","quantity":2}]', total: 25, ...extra },
      })
    ).id;
  const rowOf = (id: string) => app.prisma.order.findUnique({ where: { id } });
  const codeOf = (answer: { errors?: Array<{ extensions?: Record<string, unknown> }> }) =>
    answer.errors?.[0]?.extensions?.code;

  test("a list's where, OR, NOT, orderBy and skip never bring in another customer's order", async () => {
    const mine = await orderOf("alice", { note: "a" });
    await orderOf("bob", { note: "secret" });
    await orderOf(null, { note: "nobody's" });
    const list = async (args: string, caller?: Caller) =>
      ((await app.gql(`{ orders${args} { id } }`, {}, caller)).data?.orders as Array<{ id: string }>).map((o) => o.id);
    expect(await list('(where: { note: { equals: "secret" } })', alice)).toEqual([]);
    expect(
      await list('(where: { OR: [{ customerId: { equals: "bob" } }, { note: { contains: "secret" } }] })', alice),
    ).toEqual([]);
    expect(await list('(where: { NOT: { customerId: { equals: "alice" } } })', alice)).toEqual([]);
    expect(await list("(where: { customerId: { isNull: true } })", alice)).toEqual([]);
    expect(await list("(orderBy: { note: DESC }, skip: 0, take: 10)", alice)).toEqual([mine]);
    expect(await list("(skip: 1)", alice)).toEqual([]);
    // Anonymous: the rule's `customerId: undefined` matches no row, not the ones without an owner.
    expect(await list("")).toEqual([]);
    expect(await list("(where: { customerId: { isNull: true } })")).toEqual([]);
  });

  test("a rule's NOT over a missing claim matches no row, as the claim outside a NOT does", async () => {
    await orderOf("alice");
    await orderOf(null);
    const rows = (filter: unknown) => app.prisma.order.findMany({ where: ruleWhere(order.fields, filter) as never });
    const sub: string | undefined = undefined;
    expect(await rows({ customerId: sub })).toEqual([]);
    expect(await rows({ NOT: { customerId: sub } })).toEqual([]);
    expect(await rows({ NOT: { OR: [{ customerId: sub }, { note: "x" }] } })).toEqual([]);
    expect(await rows({ NOT: { customerId: { in: ["bob", sub] } } })).toEqual([]);
    // With the claim there, NOT is a plain negation.
    expect(await rows({ NOT: { customerId: "bob" } })).toHaveLength(1);
  });

  test("aliases and batched operations each answer under the caller's rule", async () => {
    const mine = await orderOf("alice");
    const theirs = await orderOf("bob");
    const answer = await app.gql(
      `query ($a: ID!, $b: ID!) { a: order(id: $a) { id } b: order(id: $b) { id } all: orders { id } }`,
      { a: mine, b: theirs },
      alice,
    );
    expect(answer.data).toEqual({ a: { id: mine }, b: null, all: [{ id: mine }] });
  });

  test("an update that hands one's order to another customer is FORBIDDEN and the row stays", async () => {
    const mine = await orderOf("alice");
    const before = await rowOf(mine);
    const answer = await app.gql(
      `mutation ($id: ID!) { orderUpdate(id: $id, data: { customerId: "bob" }) { id } }`,
      { id: mine },
      alice,
    );
    expect(codeOf(answer)).toBe("FORBIDDEN");
    expect(await rowOf(mine)).toEqual(before);
  });

  test("an anonymous caller cannot update an order without an owner (undefined claim matches no row)", async () => {
    const orphan = await orderOf(null);
    const before = await rowOf(orphan);
    const answer = await app.gql(`mutation ($id: ID!) { orderUpdate(id: $id, data: { note: "hi" }) { id } }`, {
      id: orphan,
    });
    expect(codeOf(answer)).toBe("FORBIDDEN");
    expect(await rowOf(orphan)).toEqual(before);
  });

  test("a create for another owner is FORBIDDEN; one with a null owner is still the caller's own", async () => {
    const CREATE = `mutation ($data: OrderCreateInput!) { orderCreate(data: $data) { id customerId } }`;
    const items = '[{"sku":"LAMP","quantity":1}]';
    expect(codeOf(await app.gql(CREATE, { data: { items, customerId: "bob" } }, alice))).toBe("FORBIDDEN");
    expect(await app.prisma.order.count()).toBe(0);
    // An explicit null is the field left out: the rule's equality fills it, never an order without an owner.
    expect((await app.gql(CREATE, { data: { items, customerId: null } }, alice)).data?.orderCreate).toMatchObject({
      customerId: "alice",
    });
    expect(await app.prisma.order.findMany({ select: { customerId: true } })).toEqual([{ customerId: "alice" }]);
  });

  test("a checkout's success member shows the caller's own order, and another's checkout shows nothing of it", async () => {
    const mine = await orderOf("alice");
    const theirs = await orderOf("bob");
    expect((await app.gql(CHECKOUT, { id: mine }, alice)).data?.orderCheckout).toMatchObject({
      order: { id: mine, customerId: "alice", status: "completed" },
    });
    const refused = (await app.gql(CHECKOUT, { id: theirs }, alice)).data?.orderCheckout;
    expect(refused).toMatchObject({ __typename: "ForbiddenError", runId: null });
    expect(JSON.stringify(refused)).not.toContain("bob");
  });

  test("an idempotency key another customer used on their order tells nothing of their run", async () => {
    const theirs = await orderOf("bob");
    const mine = await orderOf("alice");
    const first = (await app.gql(CHECKOUT, { id: theirs, key: "shared-key" }, bob)).data?.orderCheckout;
    expect(first.__typename).toBe("OrderCheckoutSuccess");
    const answer = (await app.gql(CHECKOUT, { id: mine, key: "shared-key" }, alice)).data?.orderCheckout;
    expect(answer).toMatchObject({ __typename: "IdempotencyConflictError", code: "IDEMPOTENCY_CONFLICT", runId: null });
    expect(JSON.stringify(answer)).not.toContain(first.runId);
    // The key's owner, on another of their own orders, is still told which run holds it.
    const again = (await app.gql(CHECKOUT, { id: await orderOf("bob"), key: "shared-key" }, bob)).data?.orderCheckout;
    expect(again).toMatchObject({ __typename: "IdempotencyConflictError", runId: first.runId });
    expect(await app.store.listRuns()).toHaveLength(1);
  });

  describe("run control", () => {
    const CANCEL = `mutation ($id: ID!) { workflowRunCancel(id: $id) { id status input } }`;
    const RETRY = `mutation ($id: ID!) { workflowRunRetry(id: $id) { id status } }`;
    const RESUME = `mutation ($id: ID!) { workflowRunResume(id: $id) { id status } }`;

    test("cancel, retry and resume of a run the caller may not see answer as for an unknown run", async () => {
      const bobRun = (await app.gql(CHECKOUT, { id: await orderOf("bob") }, bob)).data?.orderCheckout.runId as string;
      for (const mutation of [CANCEL, RETRY, RESUME]) {
        const unknown = await app.gql(mutation, { id: "no-such-run" }, alice);
        const hidden = await app.gql(mutation, { id: bobRun }, alice);
        expect(hidden.data).toEqual(unknown.data);
        expect(hidden.errors?.[0]?.extensions).toEqual({ code: "RUN_NOT_FOUND", runId: null, status: null });
        expect(unknown.errors?.[0]?.extensions).toEqual({ code: "RUN_NOT_FOUND", runId: null, status: null });
        expect(hidden.errors?.[0]?.message).toBe(unknown.errors?.[0]?.message.replace("no-such-run", bobRun));
      }
      // The owner and an admin still reach it: it ended, so it is left as it is.
      expect(codeOf(await app.gql(CANCEL, { id: bobRun }, bob))).toBe("RUN_ALREADY_ENDED");
      expect(codeOf(await app.gql(CANCEL, { id: bobRun }, admin))).toBe("RUN_ALREADY_ENDED");
      expect((await app.store.getRun(bobRun))?.status).toBe("COMPLETED");
    });
  });
});
