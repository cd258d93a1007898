import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDatamodel } from "../../generated/fixtures/sqlite/pothos-types.ts";
import { buildSchema } from "../../src/graphql/build-schema.ts";
import { action, InMemoryRunJournal, ServiceRegistry, step, string } from "../../src/index.ts";
import { silentLogger } from "../../src/engine/logger.ts";
import { account, note, product, user } from "../fixtures/entities.ts";
import { inProcessGraphQL, type GraphQLResult } from "../helpers/in-process-graphql.ts";
import {
  createSqliteTestDatabase,
  type SqliteFixturesPrismaClient,
  type TestDatabase,
} from "../helpers/test-database.ts";

const seen: string[] = [];
const signed = note.actions({
  sign: action()
    .input({ pin: string.secret(), reason: string })
    .workflow([
      step("check-pin", (ctx) => {
        seen.push(ctx.input.pin);
        return { signed: ctx.input.pin === "4321" };
      }),
    ]),
});

describe("a .secret() action input", () => {
  let database: TestDatabase<SqliteFixturesPrismaClient>;
  const store = new InMemoryRunJournal();
  let gql: (query: string, variables?: Record<string, unknown>) => Promise<GraphQLResult>;

  beforeAll(async () => {
    database = await createSqliteTestDatabase();
    const runtime = { driver: database.driver, store, services: new ServiceRegistry(), logger: silentLogger };
    gql = inProcessGraphQL(
      buildSchema({
        entities: [user, account, signed, product],
        runtime,
        prisma: database.prisma,
        datamodel: getDatamodel(),
      }),
    );
  });
  afterAll(async () => {
    await database?.close();
  });

  it("reaches the step and the journal, and reads back as [redacted] from workflowRun and workflowRuns", async () => {
    const { id } = await database.prisma.note.create({ data: { title: "T", body: "B" } });

    const run = await gql(
      `mutation ($id: ID!) { noteSign(id: $id, input: { pin: "4321", reason: "audit" }) { ... on NoteSignSuccess { runId result } } }`,
      { id },
    );
    const runId = run.data!.noteSign.runId as string;
    const one = await gql(`query ($id: ID!) { workflowRun(id: $id) { input } }`, { id: runId });
    const many = await gql(`{ workflowRuns(workflow: "note.sign") { id input } }`);

    expect(run.data!.noteSign.result).toEqual({ signed: true });
    expect(seen).toEqual(["4321"]);
    expect((await store.getRun(runId))!.input).toEqual({ pin: "4321", reason: "audit" });
    expect(one.data!.workflowRun.input).toEqual({ pin: "[redacted]", reason: "audit" });
    expect(many.data!.workflowRuns.find((r: { id: string }) => r.id === runId).input).toEqual({
      pin: "[redacted]",
      reason: "audit",
    });
    expect(JSON.stringify([one, many])).not.toContain("4321");
  });
});
