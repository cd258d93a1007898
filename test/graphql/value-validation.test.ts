/**
 * Values a field cannot hold are refused before they reach the database, through CRUD inputs and action
 * inputs alike, and `contains` / `startsWith` / `endsWith` match `%`, `_` and `\` literally, on both databases.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getDatamodel } from "../../generated/fixtures/sqlite/pothos-types.ts";
import { FLOAT_LIMIT } from "../../src/entity/check-value.ts";
import { buildSchema } from "../../src/graphql/build-schema.ts";
import { inProcessGraphQL } from "../helpers/in-process-graphql.ts";
import { action, InMemoryRunJournal, int, ServiceRegistry, step, string } from "../../src/index.ts";
import { silentLogger } from "../../src/engine/logger.ts";
import { account, note, product, user } from "../fixtures/entities.ts";
import {
  createPostgresTestDatabase,
  createSqliteTestDatabase,
  type SqliteFixturesPrismaClient,
  type TestDatabase,
} from "../helpers/test-database.ts";

type Result = {
  data?: Record<string, any> | null;
  errors?: Array<{ message: string; extensions?: Record<string, any> }>;
};

/** `productRestock`: adds to the stock; its input is bounded like the columns are. */
const stocked = product.actions({
  restock: action()
    .input({ quantity: int.min(1).max(100), reason: string.maxLength(10).optional() })
    .workflow([
      step("add", async (ctx) => {
        await ctx.driver.update("product", { id: ctx.resourceId }, { stock: ctx.resource.stock + ctx.input.quantity });
      }),
    ]),
});

describe.each(["sqlite", "postgresql"] as const)("value validation on %s", (provider) => {
  let database: TestDatabase<SqliteFixturesPrismaClient>;
  let gql: (query: string, variables?: Record<string, unknown>) => Promise<Result>;

  beforeAll(async () => {
    database =
      provider === "sqlite"
        ? await createSqliteTestDatabase()
        : ((await createPostgresTestDatabase()) as unknown as TestDatabase<SqliteFixturesPrismaClient>);
    const runtime = {
      driver: database.driver,
      store: new InMemoryRunJournal(),
      services: new ServiceRegistry(),
      logger: silentLogger,
    };
    const schema = buildSchema({
      entities: [user, account, note, stocked],
      runtime,
      prisma: database.prisma,
      datamodel: getDatamodel(),
    });
    gql = inProcessGraphQL(schema);
  }, 30_000);
  afterAll(async () => {
    await database?.close();
  });
  beforeEach(async () => {
    await database.prisma.product.deleteMany();
  });

  const CREATE = `mutation ($data: ProductCreateInput!) { productCreate(data: $data) { id price stock name } }`;
  const UPDATE = `mutation ($id: ID!, $data: ProductUpdateInput!) { productUpdate(id: $id, data: $data) { id price stock name } }`;
  const good = { sku: "K-1", name: "Keyboard", price: 79, stock: 5 };

  async function expectRefused(result: Result, fields: string[]) {
    expect(result.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(result.errors?.[0]?.extensions?.fields).toEqual(fields);
    for (const field of fields) expect(result.errors?.[0]?.message).toContain(field);
  }

  async function rows() {
    return database.prisma.product.findMany({
      select: { sku: true, name: true, price: true, stock: true },
      orderBy: { sku: "asc" },
    });
  }

  it("refuses a create outside the declared ranges or lengths, naming each field, and stores nothing", async () => {
    await expectRefused(await gql(CREATE, { data: { ...good, price: -0.01 } }), ["price"]);
    await expectRefused(await gql(CREATE, { data: { ...good, stock: -100 } }), ["stock"]);
    await expectRefused(await gql(CREATE, { data: { ...good, stock: 1_000_001 } }), ["stock"]);
    await expectRefused(await gql(CREATE, { data: { ...good, name: "x".repeat(41) } }), ["name"]);
    await expectRefused(await gql(CREATE, { data: { ...good, sku: "s".repeat(1001), price: -1 } }), ["sku", "price"]);
    expect(await rows()).toEqual([]);
  });

  it("accepts the bounds themselves, counting characters rather than UTF-16 units", async () => {
    const name = "🙂".repeat(40);
    const created = await gql(CREATE, { data: { ...good, name, price: 0, stock: 1_000_000 } });
    expect(created.errors).toBeUndefined();
    expect(await rows()).toEqual([{ sku: "K-1", name, price: 0, stock: 1_000_000 }]);
  });

  it("refuses a float the database cannot store and read back, and then still reads every row", async () => {
    await gql(CREATE, { data: good });
    for (const price of [1.7976931348623157e308, -1.7976931348623157e308, 1.7976931348623155e308]) {
      await expectRefused(await gql(CREATE, { data: { ...good, sku: "K-2", price } }), ["price"]);
    }
    const largest = await gql(CREATE, { data: { ...good, sku: "K-3", price: FLOAT_LIMIT } });
    expect(largest.errors).toBeUndefined();
    const listed = await gql(`{ products { sku price } }`);
    expect(listed).toEqual({
      data: {
        products: [
          { sku: "K-1", price: 79 },
          { sku: "K-3", price: FLOAT_LIMIT },
        ],
      },
    });
  });

  it("refuses a NUL character, which PostgreSQL text cannot hold", async () => {
    await expectRefused(await gql(CREATE, { data: { ...good, name: "a\u0000b" } }), ["name"]);
    expect(await rows()).toEqual([]);
  });

  it("refuses an update outside the ranges and leaves the row as it was", async () => {
    const { data } = await gql(CREATE, { data: good });
    const id = data!.productCreate.id;
    await expectRefused(await gql(UPDATE, { id, data: { price: 0.01, stock: -1 } }), ["stock"]);
    await expectRefused(await gql(UPDATE, { id, data: { name: "n".repeat(41) } }), ["name"]);
    expect(await rows()).toEqual([{ ...good }]);
  });

  it("refuses an action input outside its ranges as a ValidationError naming the field, running nothing", async () => {
    const { data } = await gql(CREATE, { data: good });
    const restock = (input: Record<string, unknown>) =>
      gql(
        `mutation ($id: ID!, $input: ProductRestockInput!) { productRestock(id: $id, input: $input) {
          __typename ... on ValidationError { problems { field message } } } }`,
        { id: data!.productCreate.id, input },
      );
    expect((await restock({ quantity: 0 })).data!.productRestock).toEqual({
      __typename: "ValidationError",
      problems: [{ field: "quantity", message: "must be at least 1" }],
    });
    expect((await restock({ quantity: 101, reason: "r".repeat(11) })).data!.productRestock).toEqual({
      __typename: "ValidationError",
      problems: [
        { field: "quantity", message: "must be at most 100" },
        { field: "reason", message: "must be at most 10 characters long" },
      ],
    });
    expect(await rows()).toEqual([{ ...good }]);
    expect((await restock({ quantity: 100 })).data!.productRestock.__typename).toBe("ProductRestockSuccess");
    expect((await rows())[0]!.stock).toBe(105);
  });

  it("matches %, _ and the backslash literally in contains, startsWith and endsWith", async () => {
    for (const sku of ["a%b", "a_b", "axb", "a\\b", "100%", "50_", "\\x"]) {
      await database.prisma.product.create({ data: { sku, name: "n", price: 1 } });
    }
    const skus = async (op: string, operand: string) => {
      const result = await gql(
        `query ($s: String) { products(where: { sku: { ${op}: $s } }, orderBy: [{ sku: ASC }]) { sku } }`,
        { s: operand },
      );
      expect(result.errors).toBeUndefined();
      return result.data!.products.map((p: { sku: string }) => p.sku).sort();
    };
    expect(await skus("contains", "%")).toEqual(["100%", "a%b"]);
    expect(await skus("contains", "_")).toEqual(["50_", "a_b"]);
    expect(await skus("contains", "a_")).toEqual(["a_b"]);
    expect(await skus("contains", "\\")).toEqual(["\\x", "a\\b"]);
    expect(await skus("startsWith", "\\")).toEqual(["\\x"]);
    // A trailing escape character was an error on PostgreSQL: "LIKE pattern must not end with escape character".
    expect(await skus("endsWith", "\\")).toEqual([]);
    expect(await skus("endsWith", "%")).toEqual(["100%"]);
    expect(await skus("startsWith", "a%")).toEqual(["a%b"]);
    expect(await skus("endsWith", "_")).toEqual(["50_"]);
  });
});
