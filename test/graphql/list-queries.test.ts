import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCheckoutFixture, type CheckoutFixture } from "./checkout-fixture.ts";

let app: CheckoutFixture;
beforeAll(async () => {
  app = await createCheckoutFixture();
  // Distinct createdAt values, so the default (oldest first) order is known.
  const base = Date.UTC(2026, 0, 1);
  const rows = [
    { sku: "A-1", name: "Apple", price: 1.5, stock: 0 },
    { sku: "B-1", name: "banana", price: 0.25, stock: 12 },
    { sku: "C-1", name: "Cherry", price: 4, stock: 7 },
    { sku: "D-1", name: "Date", price: 4, stock: 3 },
    { sku: "E-1", name: "Elderberry", price: 9.99, stock: 7 },
  ];
  for (const [index, row] of rows.entries())
    await app.prisma.product.create({ data: { ...row, createdAt: new Date(base + index * 1000) } });
  await app.prisma.order.create({ data: { items: "[]", total: 1, chargeId: "ch_1" } });
  await app.prisma.order.create({ data: { items: "[]", total: 2 } });
});
afterAll(async () => {
  await app.close();
});

async function skus(args: string, variables: Record<string, unknown> = {}): Promise<string[]> {
  const declared =
    Object.keys(variables).length > 0
      ? `(${Object.keys(variables)
          .map((name) => `$${name}: ${VARIABLE_TYPES[name]}`)
          .join(", ")})`
      : "";
  const result = await app.gql(`query ${declared} { products${args} { sku } }`, variables);
  expect(result.errors).toBeUndefined();
  return result.data!.products.map((p: { sku: string }) => p.sku);
}

const VARIABLE_TYPES: Record<string, string> = { where: "ProductWhereInput", orderBy: "[ProductOrderByInput!]" };

describe("list queries", () => {
  it("return every row, oldest first, by default", async () => {
    expect(await skus("")).toEqual(["A-1", "B-1", "C-1", "D-1", "E-1"]);
  });

  it("page with take and skip", async () => {
    expect(await skus("(take: 2)")).toEqual(["A-1", "B-1"]);
    expect(await skus("(take: 2, skip: 2)")).toEqual(["C-1", "D-1"]);
    expect(await skus("(take: 2, skip: 4)")).toEqual(["E-1"]);
    expect(await skus("(take: 0)")).toEqual([]);
  });

  it("sort by several fields in list order, ties broken by the next element", async () => {
    expect(await skus("(orderBy: [{ price: DESC }, { name: ASC }])")).toEqual(["E-1", "C-1", "D-1", "A-1", "B-1"]);
    expect(await skus("(orderBy: [{ stock: ASC }, { sku: DESC }])")).toEqual(["A-1", "D-1", "E-1", "C-1", "B-1"]);
  });

  it("filter with equality and per-type operators", async () => {
    expect(await skus(`(where: { price: { equals: 4 } })`)).toEqual(["C-1", "D-1"]);
    expect(await skus(`(where: { stock: { gte: 7, lt: 12 } })`)).toEqual(["C-1", "E-1"]);
    expect(await skus(`(where: { sku: { in: ["A-1", "E-1", "Z-9"] } })`)).toEqual(["A-1", "E-1"]);
    expect(await skus(`(where: { sku: { notIn: ["A-1", "E-1"] }, name: { startsWith: "C" } })`)).toEqual(["C-1"]);
    expect(await skus(`(where: { name: { endsWith: "rry" } })`)).toEqual(["C-1", "E-1"]);
    expect(await skus(`(where: { name: { not: "Date" }, price: { gt: 1, lte: 4 } })`)).toEqual(["A-1", "C-1"]);
    expect(await skus(`(where: { createdAt: { gt: "2026-01-01T00:00:02Z" } })`)).toEqual(["D-1", "E-1"]);
  });

  it("combine conditions with AND, OR and NOT", async () => {
    const where = {
      OR: [{ stock: { equals: 0 } }, { AND: [{ price: { equals: 4 } }, { NOT: { name: { equals: "Date" } } }] }],
    };
    expect(await skus("(where: $where)", { where })).toEqual(["A-1", "C-1"]);
    expect(await skus("(where: $where)", { where: { OR: [] } })).toEqual([]);
    expect(await skus("(where: $where)", { where: { AND: [] } })).toHaveLength(5);
  });

  it("treat an explicit null operand as no condition", async () => {
    expect(await skus("(where: $where)", { where: { stock: { equals: null }, name: null } })).toEqual([
      "A-1",
      "B-1",
      "C-1",
      "D-1",
      "E-1",
    ]);
  });

  it("test nullness with isNull", async () => {
    const orders = async (isNull: boolean) =>
      (
        await app.gql(`query ($isNull: Boolean) { orders(where: { chargeId: { isNull: $isNull } }) { chargeId } }`, {
          isNull,
        })
      ).data!.orders;
    expect(await orders(true)).toEqual([{ chargeId: null }]);
    expect(await orders(false)).toEqual([{ chargeId: "ch_1" }]);
    // A required field is never null.
    expect(await skus("(where: { sku: { isNull: true } })")).toEqual([]);
    expect(await skus("(where: { sku: { isNull: false } })")).toHaveLength(5);
  });

  it("filter ids", async () => {
    const { data } = await app.gql(`{ products(take: 2) { id } }`);
    const ids = data!.products.map((p: { id: string }) => p.id);
    expect(await skus("(where: $where)", { where: { id: { in: ids } } })).toEqual(["A-1", "B-1"]);
  });
});

describe("list queries refuse what they cannot honour", () => {
  it.each([
    ["take above the limit", "(take: 201)", /take must be between 0 and 200/],
    ["negative take", "(take: -1)", /take must be between 0 and 200/],
    ["negative skip", "(skip: -1)", /skip must not be negative/],
    [
      "an orderBy element with two fields",
      "(orderBy: [{ price: ASC, name: ASC }])",
      /orderBy\[0\] must set exactly one field, got 2/,
    ],
    ["an empty orderBy element", "(orderBy: [{}])", /orderBy\[0\] must set exactly one field, got 0/],
  ])("refuses %s with BAD_USER_INPUT", async (_, args, message) => {
    const result = await app.gql(`{ products${args} { sku } }`);
    expect(result.data).toBeNull();
    expect(result.errors?.[0]?.message).toMatch(message);
    expect(result.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("refuses filters nested deeper than eight levels", async () => {
    let where: Record<string, unknown> = { stock: { gt: 0 } };
    for (let i = 0; i < 10; i++) where = { NOT: where };
    const result = await app.gql(`query ($where: ProductWhereInput) { products(where: $where) { sku } }`, { where });
    expect(result.errors?.[0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT" } });
  });

  it("refuses a filter value of the wrong type", async () => {
    const result = await app.gql(`{ products(where: { stock: { gt: "many" } }) { sku } }`);
    expect(result.errors?.[0]?.message).toMatch(/Int cannot represent/);
  });
});
