import { afterAll, beforeAll, describe, expect, onTestFinished, test } from "vitest";
import { PostgresRunJournal, type JournalQuery } from "../../src/persistence/postgres/postgres-run-journal.ts";
import { IdempotencyKeyConflictError, RunFinishedError } from "../../src/engine/errors.ts";
import { retryUntil } from "../helpers/retry-until.ts";
import {
  createPostgresTestDatabase,
  type PostgresFixturesPrismaClient,
  type TestDatabase,
} from "../helpers/test-database.ts";
import { newRunId, play, reference, RunScript } from "./run-journal-script.ts";
import pg from "pg";
import { adminPool, TEST_POSTGRES_URL, uniqueSchemaName } from "./run-journal-databases.ts";

const admin = adminPool();

/** The journal written inside the app's own transactions, through Prisma, as a database step would. */
describe("PostgresRunJournal.recordAllThrough", () => {
  let database: TestDatabase<PostgresFixturesPrismaClient>;
  let store: PostgresRunJournal;

  beforeAll(async () => {
    database = await createPostgresTestDatabase();
    store = await PostgresRunJournal.open({ connectionString: database.url, maxConnections: 2 });
  });
  afterAll(async () => {
    await store?.close();
    await database?.close();
  });

  type Tx = Parameters<Parameters<PostgresFixturesPrismaClient["$transaction"]>[0]>[0];
  const through =
    (client: { $queryRawUnsafe: Tx["$queryRawUnsafe"] }): JournalQuery =>
    (sql, values) =>
      client.$queryRawUnsafe(sql, ...values);

  test("tells a connection that reaches this journal from one on another database", async () => {
    expect(await store.reaches(through(database.prisma))).toBe(true);
    const schema = uniqueSchemaName("through_elsewhere");
    const elsewhere = await PostgresRunJournal.open({ connectionString: TEST_POSTGRES_URL, schema, maxConnections: 1 });
    onTestFinished(async () => {
      await elsewhere.close();
      await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
    });
    expect(await elsewhere.reaches(through(database.prisma))).toBe(false);
    expect(elsewhere.journalId).not.toBe(store.journalId);
  });

  test("events written in the app's transaction commit with its writes, and are announced after the commit", async () => {
    const listener = new pg.Client({ connectionString: database.url });
    await listener.connect();
    onTestFinished(() => listener.end());
    const heard: string[] = [];
    listener.on("notification", (message) => heard.push(message.payload ?? ""));
    await listener.query(`LISTEN "${store.channel}"`);

    const script = new RunScript(newRunId(), ["reserve", "charge"]).completes(0, { reserved: 1 }).stepStarted(1);
    const recorded = await database.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe("CREATE TABLE IF NOT EXISTS through_orders (id text PRIMARY KEY)");
      await tx.$executeRawUnsafe("INSERT INTO through_orders VALUES ($1)", script.runId);
      return store.recordAllThrough(through(tx), script.events);
    });
    recorded.announce();
    expect(await store.getRun(script.runId)).toStrictEqual(await reference(script));
    const seqs = (await store.listEvents({ runId: script.runId })).map((e) => `${script.runId}:${e.seq}`);
    await retryUntil(() => heard.length >= seqs.length, { what: "the announcements" });
    expect(heard.sort()).toEqual(seqs.sort());
  });

  test("events written in a transaction that rolls back leave no trace", async () => {
    const script = new RunScript(newRunId(), ["reserve"]).completes(0, 1);
    const failed = database.prisma.$transaction(async (tx) => {
      await store.recordAllThrough(through(tx), script.events);
      throw new Error("the step failed after its journal write");
    });
    await expect(failed).rejects.toThrow(/the step failed/);
    expect(await store.getRun(script.runId)).toBeNull();
    expect(await store.listEvents({ runId: script.runId })).toEqual([]);
  });

  test("a refused event throws the store's own error inside the transaction, which then rolls back", async () => {
    const script = new RunScript(newRunId(), ["reserve", "charge"])
      .completes(0, 1)
      .finished("COMPLETED", { result: 1 });
    await play(store, script);
    const before = await store.getJournaledRun(script.runId);
    const late = new RunScript(script.runId, script.steps).stepStarted(1).events.slice(1);
    const refused = database.prisma.$transaction(async (tx) => store.recordAllThrough(through(tx), late));
    await expect(refused).rejects.toBeInstanceOf(RunFinishedError);
    expect(await store.getJournaledRun(script.runId)).toStrictEqual(before);
  });

  test("a run started under a taken idempotency key fails with the store's conflict error, and its transaction rolls back", async () => {
    const first = new RunScript(newRunId(), ["a"], {
      workflow: "order.checkout",
      idempotencyKey: `through-${process.pid}`,
    });
    await play(store, first);
    const duplicate = new RunScript(newRunId(), ["a"], {
      workflow: "order.checkout",
      idempotencyKey: `through-${process.pid}`,
    }).completes(0, 1);
    const conflict = database.prisma.$transaction(async (tx) => store.recordAllThrough(through(tx), duplicate.events));
    await expect(conflict).rejects.toBeInstanceOf(IdempotencyKeyConflictError);
    await expect(conflict).rejects.toMatchObject({ runId: first.runId });
    expect(await store.getRun(duplicate.runId)).toBeNull();
  });
});
