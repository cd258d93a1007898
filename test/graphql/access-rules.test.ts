/**
 * The entity access rules through the API, on SQLite and PostgreSQL: every refusal is checked together with
 * what the database holds afterwards, so a refusal that still wrote something fails.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { Caller } from "../fixtures/access-entities.ts";
import type { Provider } from "../helpers/fresh-database.ts";
import { createAccessFixture, type AccessFixture } from "./access-fixture.ts";

const alice: Caller = { sub: "alice", role: "customer" };
const bob: Caller = { sub: "bob", role: "customer" };
const admin: Caller = { sub: "root", role: "admin" };

const ORDER_FIELDS = "id customerId items total status note";
const CHECKOUT = /* GraphQL */ `
  mutation ($id: ID!, $key: String) {
    orderCheckout(id: $id, idempotencyKey: $key) {
      __typename
      ... on OrderCheckoutSuccess {
        runId
        order {
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
const RUNS = /* GraphQL */ `
  query ($take: Int, $skip: Int) {
    workflowRuns(take: $take, skip: $skip) {
      id
      workflow
      resourceId
    }
  }
`;

describe.each<Provider>(["sqlite", "postgresql"])("access rules on %s", (provider) => {
  let app: AccessFixture;
  beforeEach(async () => {
    app = await createAccessFixture(provider);
    await app.prisma.product.create({ data: { name: "Lamp", sku: "LAMP", price: 12.5, stock: 10 } });
  });
  afterEach(() => app?.close());

  const orderOf = async (customerId: string, extra: { status?: string } = {}) =>
    (
      await app.prisma.order.create({
        data: { customerId, items: '[{"sku":"LAMP","quantity":2}]', total: 25, ...extra },
      })
    ).id;
  const rowOf = (id: string) => app.prisma.order.findUnique({ where: { id } });
  const codeOf = (answer: { errors?: Array<{ extensions?: Record<string, unknown> }> }) =>
    answer.errors?.[0]?.extensions?.code;

  describe("reads", () => {
    test("a customer's list holds only their own orders, and take/skip count only those", async () => {
      const own = [await orderOf("alice"), await orderOf("alice"), await orderOf("alice")];
      await orderOf("bob");
      await orderOf("bob");
      const list = async (args: string, caller?: Caller) =>
        (await app.gql(`{ orders${args} { id customerId } }`, {}, caller)).data?.orders as Array<{ id: string }>;
      expect((await list("", alice)).map((o) => o.id)).toEqual(own);
      expect((await list("(take: 2, skip: 2)", alice)).map((o) => o.id)).toEqual([own[2]]);
      expect(await list('(where: { customerId: { equals: "bob" } })', alice)).toEqual([]);
      expect(await list("")).toEqual([]);
      expect(await list("", admin)).toHaveLength(5);
    });

    test("a single read of another customer's order is null, of one's own the row; anonymous callers read products only", async () => {
      const mine = await orderOf("alice");
      const theirs = await orderOf("bob");
      const read = (id: string, caller?: Caller) =>
        app.gql(`query ($id: ID!) { order(id: $id) { id customerId } }`, { id }, caller);
      expect(await read(theirs, alice)).toEqual({ data: { order: null } });
      expect((await read(mine, alice)).data?.order).toEqual({ id: mine, customerId: "alice" });
      expect(await read(mine)).toEqual({ data: { order: null } });
      expect((await app.gql("{ products { sku } }")).data?.products).toEqual([{ sku: "LAMP" }]);
    });
  });

  describe("writes", () => {
    const UPDATE = `mutation ($id: ID!, $data: OrderUpdateInput!) { orderUpdate(id: $id, data: $data) { ${ORDER_FIELDS} } }`;

    test("an update of another customer's order is FORBIDDEN and the row is unchanged", async () => {
      const theirs = await orderOf("bob");
      const before = await rowOf(theirs);
      const answer = await app.gql(UPDATE, { id: theirs, data: { note: "mine now" } }, alice);
      expect(codeOf(answer)).toBe("FORBIDDEN");
      expect(answer.data?.orderUpdate).toBeNull();
      expect(await rowOf(theirs)).toEqual(before);
    });

    test("an update that would move one's own order out of reach is FORBIDDEN and rolled back", async () => {
      const mine = await orderOf("alice");
      const before = await rowOf(mine);
      const answer = await app.gql(UPDATE, { id: mine, data: { customerId: "bob", note: "gift" } }, alice);
      expect(codeOf(answer)).toBe("FORBIDDEN");
      expect(await rowOf(mine)).toEqual(before);
    });

    test("a customer may update their own pending order but not a completed one; an unknown id stays NOT_FOUND", async () => {
      const pending = await orderOf("alice");
      const completed = await orderOf("alice", { status: "completed" });
      expect(
        (await app.gql(UPDATE, { id: pending, data: { note: "ring twice" } }, alice)).data?.orderUpdate,
      ).toMatchObject({ note: "ring twice" });
      const before = await rowOf(completed);
      expect(codeOf(await app.gql(UPDATE, { id: completed, data: { note: "late" } }, alice))).toBe("FORBIDDEN");
      expect(await rowOf(completed)).toEqual(before);
      expect(codeOf(await app.gql(UPDATE, { id: "no-such-order", data: { note: "x" } }, alice))).toBe("NOT_FOUND");
    });

    test("a delete outside the rule is FORBIDDEN and the row stays; an admin's goes through", async () => {
      const mine = await orderOf("alice");
      const product = (await app.prisma.product.findFirstOrThrow()).id;
      const DELETE_ORDER = `mutation ($id: ID!) { orderDelete(id: $id) { id } }`;
      const deleted = await app.gql(DELETE_ORDER, { id: mine }, alice);
      expect(codeOf(deleted)).toBe("FORBIDDEN");
      expect(await rowOf(mine)).not.toBeNull();
      expect(codeOf(await app.gql(`mutation ($id: ID!) { productDelete(id: $id) { id } }`, { id: product }))).toBe(
        "FORBIDDEN",
      );
      expect(await app.prisma.product.count()).toBe(1);
      expect((await app.gql(DELETE_ORDER, { id: mine }, admin)).data?.orderDelete).toEqual({ id: mine });
      expect(await rowOf(mine)).toBeNull();
    });

    test("create: refused for anonymous callers, owned by the caller's sub, refused for another owner, total computed by the server", async () => {
      const CREATE = `mutation ($data: OrderCreateInput!) { orderCreate(data: $data) { ${ORDER_FIELDS} } }`;
      const items = '[{"sku":"LAMP","quantity":2}]';
      expect(codeOf(await app.gql(CREATE, { data: { items } }))).toBe("FORBIDDEN");
      expect(codeOf(await app.gql(CREATE, { data: { items, customerId: "bob" } }, alice))).toBe("FORBIDDEN");
      expect(codeOf(await app.gql(CREATE, { data: { items, total: 1 } }, alice))).toBe("BAD_USER_INPUT");
      expect(
        codeOf(
          await app.gql(`mutation { productCreate(data: { name: "Free", sku: "FREE", price: 0 }) { id } }`, {}, alice),
        ),
      ).toBe("FORBIDDEN");
      expect(await app.prisma.order.count()).toBe(0);
      expect(await app.prisma.product.count()).toBe(1);
      const created = await app.gql(CREATE, { data: { items } }, alice);
      expect(created.data?.orderCreate).toMatchObject({ customerId: "alice", total: 25, status: "pending" });
      expect((await app.gql(CREATE, { data: { items, customerId: "alice" } }, alice)).data?.orderCreate).toMatchObject({
        customerId: "alice",
      });
      expect((await app.gql(CREATE, { data: { items, customerId: "carol" } }, admin)).data?.orderCreate).toMatchObject({
        customerId: "carol",
      });
      expect(await app.prisma.order.count()).toBe(3);
    });
  });

  describe("actions", () => {
    test("checking out another customer's order is ForbiddenError and runs nothing", async () => {
      const theirs = await orderOf("bob");
      for (const caller of [alice, undefined]) {
        const answer = await app.gql(CHECKOUT, { id: theirs }, caller);
        expect(answer.data?.orderCheckout).toMatchObject({
          __typename: "ForbiddenError",
          code: "FORBIDDEN",
          runId: null,
        });
      }
      expect((await rowOf(theirs))?.status).toBe("pending");
      expect(await app.store.listRuns()).toEqual([]);
      expect((await app.gql(CHECKOUT, { id: "no-such-order" }, alice)).data?.orderCheckout).toMatchObject({
        __typename: "NotFoundError",
      });
    });

    test("a refused caller reusing another's idempotency key gets ForbiddenError, not the other's outcome", async () => {
      const theirs = await orderOf("bob");
      const first = await app.gql(CHECKOUT, { id: theirs, key: "k-1" }, bob);
      expect(first.data?.orderCheckout).toMatchObject({
        __typename: "OrderCheckoutSuccess",
        order: { status: "completed" },
      });
      expect((await app.gql(CHECKOUT, { id: theirs, key: "k-1" }, alice)).data?.orderCheckout).toMatchObject({
        __typename: "ForbiddenError",
        runId: null,
      });
      expect(await app.store.listRuns()).toHaveLength(1);
    });
  });

  describe("runs", () => {
    /** Alice's checkout first, then newer runs she may not see: bob's checkout and an admin's restock. */
    async function runEveryKind(): Promise<Record<"alice" | "bob" | "restock" | "memo", string>> {
      const memo = (await app.prisma.memo.create({ data: { text: "hello" } })).id;
      const pinned = await app.gql(`mutation ($id: ID!) { memoPin(id: $id) { ... on MemoPinSuccess { runId } } }`, {
        id: memo,
      });
      const aliceRun = (await app.gql(CHECKOUT, { id: await orderOf("alice") }, alice)).data?.orderCheckout.runId;
      const bobRun = (await app.gql(CHECKOUT, { id: await orderOf("bob") }, bob)).data?.orderCheckout.runId;
      const product = (await app.prisma.product.findFirstOrThrow()).id;
      const RESTOCK = `mutation ($id: ID!) { productRestock(id: $id, input: { quantity: 5 }) { ... on ProductRestockSuccess { runId } } }`;
      const restock = (await app.gql(RESTOCK, { id: product }, admin)).data?.productRestock.runId;
      const ids = { alice: aliceRun, bob: bobRun, restock, memo: pinned.data?.memoPin.runId };
      for (const id of Object.values(ids)) expect(id).toEqual(expect.any(String));
      return ids;
    }
    const listed = async (caller: Caller | undefined, take?: number, skip?: number) =>
      ((await app.gql(RUNS, { take, skip }, caller)).data?.workflowRuns as Array<{ id: string }>).map((run) => run.id);

    test("workflowRuns shows anonymous callers only the open entity's runs, customers their own orders' too, admins all", async () => {
      const runs = await runEveryKind();
      expect(await listed(undefined)).toEqual([runs.memo]);
      expect(await listed(alice)).toEqual([runs.alice, runs.memo]);
      expect(await listed(bob)).toEqual([runs.bob, runs.memo]);
      expect(await listed(admin)).toEqual([runs.restock, runs.bob, runs.alice, runs.memo]);
      // Paging counts visible runs only: the newest run alice may see is older than two she may not.
      expect(await listed(alice, 1)).toEqual([runs.alice]);
      expect(await listed(alice, 1, 1)).toEqual([runs.memo]);
      expect(await listed(alice, 5, 2)).toEqual([]);
      expect(await listed(admin, 2, 1)).toEqual([runs.bob, runs.alice]);
      // One workflow without an authorize rule: the journal's query alone leaves the others' runs out.
      const checkouts = async (caller?: Caller) =>
        (
          (await app.gql(`{ workflowRuns(workflow: "order.checkout", take: 1) { id } }`, {}, caller)).data
            ?.workflowRuns as Array<{ id: string }>
        ).map((run) => run.id);
      expect(await checkouts(alice)).toEqual([runs.alice]);
      expect(await checkouts()).toEqual([]);
      expect(await checkouts(admin)).toEqual([runs.bob]);
      expect(await app.store.listRuns()).toHaveLength(4);
    });

    test("workflowRun of a run the caller may not see is null", async () => {
      const runs = await runEveryKind();
      const read = async (id: string, caller?: Caller) =>
        (await app.gql(`query ($id: ID!) { workflowRun(id: $id) { id } }`, { id }, caller)).data?.workflowRun;
      expect(await read(runs.bob, alice)).toBeNull();
      expect(await read(runs.restock, alice)).toBeNull();
      expect(await read(runs.alice)).toBeNull();
      expect(await read(runs.bob, bob)).toEqual({ id: runs.bob });
      expect(await read(runs.restock, admin)).toEqual({ id: runs.restock });
      expect(await read(runs.memo)).toEqual({ id: runs.memo });
    });

    test("the run subscription refuses a run the caller may not see, and streams one they may", async () => {
      const runs = await runEveryKind();
      const UPDATED = `subscription ($id: ID!) { workflowRunUpdated(id: $id) { id status } }`;
      const refused = await app.subscribe(UPDATED, { id: runs.bob }, alice);
      expect(refused).toHaveLength(1);
      expect(refused[0]!.data ?? null).toBeNull();
      expect(refused[0]!.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
      expect(await app.subscribe(UPDATED, { id: runs.bob }, bob)).toEqual([
        { data: { workflowRunUpdated: { id: runs.bob, status: "COMPLETED" } } },
      ]);
      expect((await app.store.getRun(runs.bob))?.status).toBe("COMPLETED");
    });
  });

  test("an entity without rules stays open to every caller", async () => {
    const created = await app.gql(`mutation { memoCreate(data: { text: "anyone" }) { id text } }`);
    expect(created.data?.memoCreate).toMatchObject({ text: "anyone" });
    expect((await app.gql("{ memos { text } }")).data?.memos).toEqual([{ text: "anyone" }]);
  });
});
