import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDatamodel } from "../../generated/fixtures/sqlite/pothos-types.ts";
import { buildSchema } from "../../src/graphql/build-schema.ts";
import { InMemoryRunJournal, ServiceRegistry, WorkflowDefinitionError } from "../../src/index.ts";
import { silentLogger } from "../../src/engine/logger.ts";
import { account, note, product, user } from "../fixtures/entities.ts";
import { inProcessGraphQL } from "../helpers/in-process-graphql.ts";
import {
  createSqliteTestDatabase,
  type SqliteFixturesPrismaClient,
  type TestDatabase,
} from "../helpers/test-database.ts";

let database: TestDatabase<SqliteFixturesPrismaClient>;
beforeAll(async () => {
  database = await createSqliteTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

function fieldsOf(entities: Parameters<typeof buildSchema>[0]["entities"]) {
  const runtime = {
    driver: database.driver,
    store: new InMemoryRunJournal(),
    services: new ServiceRegistry(),
    logger: silentLogger,
  };
  const schema = buildSchema({ entities, runtime, prisma: database.prisma, datamodel: getDatamodel() });
  return {
    queries: Object.keys(schema.getQueryType()!.getFields()),
    mutations: Object.keys(schema.getMutationType()?.getFields() ?? {}),
  };
}

describe("entity.crud()", () => {
  it("has every generated operation by default", () => {
    const { queries, mutations } = fieldsOf([user, account, note, product]);
    expect(queries).toEqual(expect.arrayContaining(["note", "notes"]));
    expect(mutations).toEqual(expect.arrayContaining(["noteCreate", "noteUpdate", "noteDelete"]));
  });

  it("leaves out the operations turned off, and only those", () => {
    const readOnlyNotes = note.crud({ create: false, update: false, delete: false });
    const undeletableProducts = product.crud({ delete: false });
    const { queries, mutations } = fieldsOf([user, account, readOnlyNotes, undeletableProducts]);
    expect(queries).toEqual(expect.arrayContaining(["note", "notes", "product", "products"]));
    expect(mutations.filter((m) => m.startsWith("note"))).toEqual([]);
    expect(mutations.filter((m) => m.startsWith("product"))).toEqual(["productCreate", "productUpdate"]);
  });

  it("can hide the read queries too; the entity's type stays for what returns it", () => {
    const { queries, mutations } = fieldsOf([user, account, note.crud({ read: false }), product]);
    expect(queries).not.toContain("notes");
    expect(queries).not.toContain("note");
    expect(mutations).toContain("noteCreate");
  });

  it("refuses an operation it does not know, or a value that is not a boolean", () => {
    expect(() => note.crud({ remove: false } as never)).toThrow(WorkflowDefinitionError);
    expect(() => note.crud({ delete: "no" as never })).toThrow(/must be true or false/);
  });

  it("keeps the choice when actions are added after it", () => {
    expect(note.crud({ delete: false }).actions({}).crudOperations).toEqual({
      read: true,
      create: true,
      update: true,
      delete: false,
    });
  });
});

describe("entity.computeOnCreate()", () => {
  const priced = product.computeOnCreate({
    // Reads the database through the driver, as a total computed from other rows would.
    price: async ({ data, driver }) => (await driver.findMany("product", {})).length * 10 + (data.stock ?? 0),
  });

  async function gqlWith() {
    const runtime = {
      driver: database.driver,
      store: new InMemoryRunJournal(),
      services: new ServiceRegistry(),
      logger: silentLogger,
    };
    return inProcessGraphQL(
      buildSchema({
        entities: [user, account, note, priced],
        runtime,
        prisma: database.prisma,
        datamodel: getDatamodel(),
      }),
    );
  }
  const CREATE = "mutation ($data: ProductCreateInput!) { productCreate(data: $data) { sku price } }";

  it("stores the server's value when the client leaves the field out, or sends the same one", async () => {
    const gql = await gqlWith();
    await database.prisma.product.deleteMany();
    expect((await gql(CREATE, { data: { sku: "A", name: "A", stock: 3 } })).data).toEqual({
      productCreate: { sku: "A", price: 3 },
    });
    expect((await gql(CREATE, { data: { sku: "B", name: "B", stock: 1, price: 11 } })).data).toEqual({
      productCreate: { sku: "B", price: 11 },
    });
  });

  it("refuses a different value with BAD_USER_INPUT naming the field, and stores nothing", async () => {
    const gql = await gqlWith();
    await database.prisma.product.deleteMany();
    const refused = await gql(CREATE, { data: { sku: "C", name: "C", stock: 1, price: 0.01 } });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: ["price"] });
    expect(refused.errors?.[0]?.message).toContain("computed by the server (1)");
    expect(await database.prisma.product.count()).toBe(0);
  });

  it("refuses a field that is not the entity's, at definition", () => {
    expect(() => product.computeOnCreate({ nope: () => 1 } as never)).toThrow(/not one of its fields/);
  });
});
