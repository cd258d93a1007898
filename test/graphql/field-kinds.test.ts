import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getDatamodel } from "../../generated/fixtures/sqlite/pothos-types.ts";
import { buildSchema } from "../../src/graphql/build-schema.ts";
import { inProcessGraphQL } from "../helpers/in-process-graphql.ts";
import { InMemoryRunJournal, ServiceRegistry } from "../../src/index.ts";
import { silentLogger } from "../../src/engine/logger.ts";
import { entities, note as noteEntity } from "../fixtures/entities.ts";
import {
  createSqliteTestDatabase,
  type SqliteFixturesPrismaClient,
  type TestDatabase,
} from "../helpers/test-database.ts";

// The fixture entities use every field kind (text, boolean, datetime, json; optional and default), which checkout does not.
let database: TestDatabase<SqliteFixturesPrismaClient>;
let gql: (
  query: string,
  variables?: Record<string, unknown>,
) => Promise<{
  data?: Record<string, any> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}>;

beforeAll(async () => {
  database = await createSqliteTestDatabase();
  const runtime = {
    driver: database.driver,
    store: new InMemoryRunJournal(),
    services: new ServiceRegistry(),
    logger: silentLogger,
  };
  const schema = buildSchema({ entities, runtime, prisma: database.prisma, datamodel: getDatamodel() });
  gql = inProcessGraphQL(schema);
});
afterAll(async () => {
  await database.close();
});
beforeEach(async () => {
  await database.prisma.note.deleteMany();
});

const NOTE = "id title body pinned dueAt meta tags quote";

async function createNote(data: Record<string, unknown>) {
  const result = await gql(`mutation ($data: NoteCreateInput!) { noteCreate(data: $data) { ${NOTE} } }`, { data });
  expect(result.errors).toBeUndefined();
  return result.data!.noteCreate;
}

describe("every field kind through GraphQL", () => {
  it("creates and reads text, boolean, datetime and JSON fields, with their defaults", async () => {
    const note = await createNote({
      title: "T",
      body: "long ".repeat(100),
      dueAt: "2026-03-01T12:00:00.000Z",
      meta: { a: [1, "two", null] },
    });
    expect(note).toMatchObject({
      pinned: false,
      dueAt: "2026-03-01T12:00:00.000Z",
      meta: { a: [1, "two", null] },
      tags: noteEntity.fields.tags.defaultValue,
      quote: noteEntity.fields.quote.defaultValue,
    });
    expect(note.body).toHaveLength(500);
  });

  it("clears an optional JSON field with null, and sets it to any JSON value", async () => {
    const note = await createNote({ title: "T", body: "B", meta: { keep: false } });
    const update = (meta: unknown) =>
      gql(`mutation ($id: ID!, $meta: JSON) { noteUpdate(id: $id, data: { meta: $meta }) { meta } }`, {
        id: note.id,
        meta,
      });
    expect((await update(null)).data).toEqual({ noteUpdate: { meta: null } });
    expect(await database.prisma.note.findUnique({ where: { id: note.id }, select: { meta: true } })).toEqual({
      meta: null,
    });
    expect((await update([1, 2, 3])).data).toEqual({ noteUpdate: { meta: [1, 2, 3] } });
    expect((await update("text")).data).toEqual({ noteUpdate: { meta: "text" } });
  });

  it("filters and sorts booleans and datetimes", async () => {
    await createNote({ title: "a", body: "B", pinned: true, dueAt: "2026-01-10T00:00:00Z" });
    await createNote({ title: "b", body: "B", dueAt: "2026-01-20T00:00:00Z" });
    await createNote({ title: "c", body: "B", pinned: true });
    const titles = async (args: string) =>
      (await gql(`{ notes${args} { title } }`)).data!.notes.map((n: { title: string }) => n.title);

    expect(await titles(`(where: { pinned: { equals: true } })`)).toEqual(["a", "c"]);
    expect(await titles(`(where: { pinned: { not: true } })`)).toEqual(["b"]);
    expect(await titles(`(where: { dueAt: { gte: "2026-01-15T00:00:00Z" } })`)).toEqual(["b"]);
    expect(await titles(`(where: { dueAt: { isNull: true } })`)).toEqual(["c"]);
    expect(await titles(`(orderBy: [{ dueAt: DESC }, { title: ASC }])`)).toEqual(["b", "a", "c"]);
  });

  it("offers no filter or sort on JSON fields", async () => {
    const where = await gql(`{ __type(name: "NoteWhereInput") { inputFields { name } } }`);
    const orderBy = await gql(`{ __type(name: "NoteOrderByInput") { inputFields { name } } }`);
    for (const type of [where, orderBy]) {
      const names = type.data!.__type.inputFields.map((f: { name: string }) => f.name);
      expect(names).toContain("dueAt");
      expect(names).not.toContain("meta");
      expect(names).not.toContain("tags");
    }
  });

  it("refuses a malformed datetime", async () => {
    const result = await gql(`mutation { noteCreate(data: { title: "T", body: "B", dueAt: "next tuesday" }) { id } }`);
    expect(result.errors?.[0]?.message).toMatch(/DateTime/);
    expect(await database.prisma.note.count()).toBe(0);
  });
});
