/**
 * A `.serverOnly()` field is readable but in no write input, so only steps and its default write it; a
 * `.hidden()` field is nowhere in the API. Both through the real schema, on both databases.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getDatamodel } from "../../generated/fixtures/sqlite/pothos-types.ts";
import { buildSchema } from "../../src/graphql/build-schema.ts";
import { inProcessGraphQL } from "../helpers/in-process-graphql.ts";
import { action, entity, InMemoryRunJournal, ServiceRegistry, step, string } from "../../src/index.ts";
import { WorkflowDefinitionError } from "../../src/engine/errors.ts";
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

/** The fixture's account columns, with `balance` written only by steps and `version` never shown. */
const guarded = entity("account", {
  ...account.fields,
  balance: account.fields.balance.serverOnly(),
  version: account.fields.version.hidden(),
}).actions({
  deposit: action()
    .input({ note: string.optional() })
    .workflow([
      step("deposit", async (ctx) => {
        await ctx.driver.update(
          "account",
          { id: ctx.resourceId },
          { balance: ctx.resource.balance + 10, version: ctx.resource.version + 1 },
        );
      }),
    ]),
});

describe("field modifiers at definition", () => {
  it("refuse a server-only or hidden field that creating could not leave out", () => {
    expect(() => entity("ledger", { amount: string.serverOnly() })).toThrow(WorkflowDefinitionError);
    expect(() => entity("ledger", { secret: string.hidden() })).toThrow(
      'field "secret" is hidden(), so clients cannot set it',
    );
    expect(() =>
      entity("ledger", { secret: string.hidden().optional(), code: string.default("x").serverOnly() }),
    ).not.toThrow();
  });
});

describe.each(["sqlite", "postgresql"] as const)("server-only and hidden fields on %s", (provider) => {
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
      entities: [user, guarded, note, product],
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
    await database.prisma.account.deleteMany();
  });

  async function fieldsOf(type: string): Promise<string[]> {
    const { data } = await gql(
      `query ($name: String!) { __type(name: $name) { fields { name } inputFields { name } } }`,
      { name: type },
    );
    return (data!.__type.fields ?? data!.__type.inputFields).map((f: { name: string }) => f.name);
  }

  async function stored() {
    return database.prisma.account.findMany({ select: { owner: true, balance: true, version: true } });
  }

  it("leaves a server-only field out of both write inputs and a hidden one out of everything", async () => {
    for (const input of ["AccountCreateInput", "AccountUpdateInput"]) {
      const names = await fieldsOf(input);
      expect(names).toContain("owner");
      expect(names).not.toContain("balance");
      expect(names).not.toContain("version");
    }
    for (const type of ["Account", "AccountWhereInput", "AccountOrderByInput"]) {
      const names = await fieldsOf(type);
      expect(names).toContain("balance");
      expect(names).not.toContain("version");
    }
  });

  it("refuses a create or update that sets either, and writes nothing", async () => {
    const created = await gql(`mutation { accountCreate(data: { owner: "ann" }) { id balance } }`);
    expect(created.errors).toBeUndefined();
    expect(created.data!.accountCreate.balance).toBe(0);
    const id = created.data!.accountCreate.id;
    const attempts = [
      `mutation { accountCreate(data: { owner: "bob", balance: 1000000 }) { id } }`,
      `mutation { accountCreate(data: { owner: "bob", version: 7 }) { id } }`,
      `mutation ($id: ID!) { accountUpdate(id: $id, data: { balance: 1000000 }) { id } }`,
      `mutation ($id: ID!) { accountUpdate(id: $id, data: { version: 7 }) { id } }`,
    ];
    for (const attempt of attempts) {
      const result = await gql(attempt, attempt.includes("$id") ? { id } : {});
      expect(result.data ?? null).toBeNull();
      expect(result.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    }
    expect(await stored()).toEqual([{ owner: "ann", balance: 0, version: 0 }]);
  });

  it("cannot read or filter on a hidden field", async () => {
    await gql(`mutation { accountCreate(data: { owner: "ann" }) { id } }`);
    for (const query of [
      `{ accounts { version } }`,
      `{ accounts(where: { version: { equals: 0 } }) { id } }`,
      `{ accounts(orderBy: [{ version: ASC }]) { id } }`,
    ]) {
      const result = await gql(query);
      expect(result.data ?? null).toBeNull();
      expect(result.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    }
  });

  it("lets a step write both, and shows the server-only one", async () => {
    const { data } = await gql(`mutation { accountCreate(data: { owner: "ann" }) { id } }`);
    const deposit = await gql(
      `mutation ($id: ID!) { accountDeposit(id: $id, input: {}) { __typename ... on AccountDepositSuccess { account { balance } } } }`,
      {
        id: data!.accountCreate.id,
      },
    );
    expect(deposit.data!.accountDeposit).toEqual({ __typename: "AccountDepositSuccess", account: { balance: 10 } });
    expect(await stored()).toEqual([{ owner: "ann", balance: 10, version: 1 }]);
  });
});
