import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDatamodel } from "../../generated/fixtures/sqlite/pothos-types.ts";
import { buildSchema } from "../../src/graphql/build-schema.ts";
import { InMemoryRunStore, ServiceRegistry, WorkflowDefinitionError } from "../../src/index.ts";
import { silentLogger } from "../../src/saga/logger.ts";
import { account, note, product, user } from "../fixtures/entities.ts";
import { createSqliteTestDatabase, type SqliteFixturesPrismaClient, type TestDatabase } from "../helpers/test-database.ts";

let database: TestDatabase<SqliteFixturesPrismaClient>;
beforeAll(async () => {
  database = await createSqliteTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

function fieldsOf(entities: Parameters<typeof buildSchema>[0]["entities"]) {
  const runtime = { driver: database.driver, store: new InMemoryRunStore(), services: new ServiceRegistry(), logger: silentLogger };
  const schema = buildSchema({ entities, runtime, prisma: database.prisma, datamodel: getDatamodel() });
  return { queries: Object.keys(schema.getQueryType()!.getFields()), mutations: Object.keys(schema.getMutationType()?.getFields() ?? {}) };
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
    expect(note.crud({ delete: false }).actions({}).crudOperations).toEqual({ read: true, create: true, update: true, delete: false });
  });
});
